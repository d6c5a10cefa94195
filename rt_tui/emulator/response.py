"""One emulated response: the §4 event sequence, paced, cancellable, closed out like the service's."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .codec import from_pcm24k
from .protocol import GA_FORMATS, PCM_BYTES_PER_MS, ProtocolError, new_id, obfuscation
from .responder import Reply, Turn
from .usage import response_usage

if TYPE_CHECKING:
    from .session import RealtimeSession

# The service's output audio delta sizes: 100 ms, 150 ms, then 250 ms steadily.
DELTA_SIZES = (4800, 7200)
STEADY_DELTA = 12000
log = logging.getLogger(__name__)
MIN_SLEEP_S = 0.002  # see ResponseRun.pause
YIELD_EVERY_S = 0.001
TRANSCRIPT_LEAD = 0.15  # the transcript runs this share of the audio ahead
GA_RESPONSE_KEYS = {"output_modalities", "instructions", "tools", "tool_choice", "max_output_tokens", "audio",
                    "conversation", "input", "metadata", "prompt"}
BETA_RESPONSE_KEYS = {"modalities", "instructions", "voice", "output_audio_format", "tools", "tool_choice",
                      "temperature", "max_response_output_tokens", "conversation", "input", "metadata"}


@dataclass
class ResponseParams:
    output_modalities: list[str]
    instructions: str
    tools: list[dict[str, Any]]
    tool_choice: Any
    max_output_tokens: int | str
    voice: Any
    in_conversation: bool = True
    input: list[dict[str, Any]] | None = None
    metadata: dict[str, str] | None = None
    output_format: dict[str, Any] = field(default_factory=lambda: {"type": "audio/pcm", "rate": 24000})


def response_params(raw: dict[str, Any], session: RealtimeSession) -> ResponseParams:
    """`response.create`'s optional `response` object over the session's settings."""
    beta = session.dialect == "beta"
    for key in raw:
        if key not in (BETA_RESPONSE_KEYS if beta else GA_RESPONSE_KEYS):
            raise ProtocolError("unknown_parameter", f"Unknown parameter: 'response.{key}'.", f"response.{key}")
    current = session.session
    modalities = raw.get("output_modalities", current["output_modalities"])
    if beta and "modalities" in raw:
        if sorted(raw["modalities"]) not in (["text"], ["audio", "text"]):
            raise ProtocolError("invalid_value", f"Invalid modalities: {raw['modalities']}. Supported combinations "
                                "are: ['text'] and ['audio', 'text'].", "response.modalities")
        modalities = ["text"] if raw["modalities"] == ["text"] else ["audio"]
    if modalities not in (["audio"], ["text"]):
        raise ProtocolError("invalid_value", f"Invalid modalities: {modalities}. Supported combinations are: "
                            "['text'] and ['audio'].", "response.output_modalities")
    conversation = raw.get("conversation", "auto")
    if conversation not in ("auto", "none"):
        raise ProtocolError("invalid_value", f"Invalid value: '{conversation}'. Supported values are: 'auto' and "
                            "'none'.", "response.conversation")
    voice = raw.get("voice") if beta else ((raw.get("audio") or {}).get("output") or {}).get("voice")
    return ResponseParams(
        output_modalities=modalities,
        instructions=raw.get("instructions", current["instructions"]),
        tools=raw.get("tools", current["tools"]),
        tool_choice=raw.get("tool_choice", current["tool_choice"]),
        max_output_tokens=raw.get("max_response_output_tokens" if beta else "max_output_tokens",
                                  current["max_output_tokens"]),
        voice=voice or current["audio"]["output"]["voice"],
        in_conversation=conversation == "auto",
        input=raw.get("input"),
        metadata=raw.get("metadata"),
        output_format=_output_format(raw, current, beta),
    )


def _output_format(raw: dict[str, Any], current: dict[str, Any], beta: bool) -> dict[str, Any]:
    if beta and raw.get("output_audio_format") in GA_FORMATS:
        fmt = {"type": GA_FORMATS[raw["output_audio_format"]]}
        return {**fmt, "rate": 24000} if fmt["type"] == "audio/pcm" else fmt
    requested = ((raw.get("audio") or {}).get("output") or {}).get("format")
    return dict(requested or current["audio"]["output"]["format"])


class ResponseRun:
    def __init__(self, session: RealtimeSession, params: ResponseParams) -> None:
        self.session = session
        self.params = params
        self.id = new_id("resp_")
        self.task: asyncio.Task[None] | None = None
        self.cancel_reason: str | None = None
        self._wake = asyncio.Event()
        self._due = 0.0  # event-loop time the pauses so far add up to
        self._yielded = 0.0  # event-loop time this response last let others run
        self.output: list[dict[str, Any]] = []
        self.item: dict[str, Any] | None = None  # the output item being streamed
        self.part_open = False
        self.text = ""  # text or transcript streamed so far
        self.audio_bytes = 0
        self.finished = False
        self.incomplete = False  # cut at max_output_tokens

    # --- control ------------------------------------------------------------------------------------

    async def cancel(self, reason: str) -> None:
        """End the response (reason `client_cancelled` or `turn_detected`) and wait for its close-out."""
        if self.cancel_reason is None:
            self.cancel_reason = reason
        self._wake.set()
        if self.task is not None and self.task is not asyncio.current_task():
            await asyncio.shield(self.task)

    async def pause(self, seconds: float) -> bool:
        """Sleep unless cancelled; True when the response has been cancelled.

        Pauses add up on a schedule, and one shorter than MIN_SLEEP_S is carried over instead of slept:
        far faster than real time, a timer per audio chunk would cost more than the chunk. Without a
        sleep the loop is still handed over every YIELD_EVERY_S (the connection reads a cancel or a
        close; everything emitted in between leaves in one socket write).
        """
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._due = max(self._due, now) + seconds
        wait = self._due - now
        if self.cancel_reason is None and wait >= MIN_SLEEP_S:
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except asyncio.TimeoutError:
                pass
            self._yielded = loop.time()
        elif now - self._yielded >= YIELD_EVERY_S:
            await asyncio.sleep(0)
            self._yielded = loop.time()
        return self.cancel_reason is not None or self.session.closed

    async def emit(self, event: dict[str, Any]) -> None:
        await self.session.emit(event)

    def ids(self, **extra: Any) -> dict[str, Any]:
        return {"response_id": self.id, "item_id": self.item["id"], "output_index": len(self.output) - 1, **extra}

    # --- the sequence -------------------------------------------------------------------------------

    def response_object(self, status: str, details: dict[str, Any] | None, usage: dict[str, Any] | None) -> dict[str, Any]:
        p = self.params
        return {
            "object": "realtime.response", "id": self.id, "status": status, "status_details": details,
            "output": [self.session.conversation.public(item) for item in self.output],
            "conversation_id": self.session.conversation_id if p.in_conversation else None,
            "output_modalities": p.output_modalities, "max_output_tokens": p.max_output_tokens,
            "audio": {"output": {"format": p.output_format, "voice": p.voice}},
            "usage": usage, "metadata": p.metadata,
        }

    async def run(self) -> None:
        try:
            await self.emit({"type": "response.created", "response": self.response_object("in_progress", None, None)})
            reply = self.session.responder.reply(self._turn())
            if reply.tool_name:
                await self._function_call(reply)
            else:
                await self._message(reply)
            await self._finish()
        except Exception:  # an emulator bug ends this response as the service's failed ones end
            log.exception("emulated response %s failed", self.id)
            details = {"type": "failed", "error": {"type": "server_error", "code": None}}
            self._release()
            await self.emit({"type": "response.done", "response": self.response_object("failed", details, None)})
        finally:
            self._release()

    def _release(self) -> None:
        """The response is over: from its `response.done` on, the client may create the next one."""
        if not self.finished:
            self.finished = True
            self.session.response_finished(self)

    def _turn(self) -> Turn:
        items = self._input_items()
        p = self.params
        last = items[-1] if items else None
        tool_result = None
        if last is not None and last.get("type") == "function_call_output":
            call = next((i for i in items if i.get("type") == "function_call" and i.get("call_id") == last["call_id"]), {})
            tool_result = (call.get("name", "tool"), str(last.get("output", "")))
        user = next((i for i in reversed(items) if i.get("type") == "message" and i.get("role") == "user"), None)
        text_parts = [c.get("text", "") for c in (user or {}).get("content", []) if c.get("type") == "input_text"]
        audio_ms = len(self.session.conversation.audio.get((user or {}).get("id", ""), b"")) / PCM_BYTES_PER_MS
        has_audio = any(c.get("type") == "input_audio" for c in (user or {}).get("content", []))
        user_text = None if has_audio and not text_parts else " ".join(text_parts)
        return Turn(user_text, audio_ms, p.instructions, tuple(p.tools), p.tool_choice, tool_result)

    def _input_items(self) -> list[dict[str, Any]]:
        store = self.session.conversation
        if self.params.input is None:
            return store.items
        items = []
        for entry in self.params.input:
            if isinstance(entry, dict) and entry.get("type") == "item_reference":
                found = store.get(str(entry.get("id")))
                if found is not None:
                    items.append(found)
            elif isinstance(entry, dict):
                items.append(entry)
        return items

    async def _open_item(self, item: dict[str, Any]) -> None:
        self.item = item
        self.output.append(item)
        await self.emit({"type": "response.output_item.added", "response_id": self.id,
                         "output_index": len(self.output) - 1, "item": self.session.conversation.public(item)})
        if self.params.in_conversation:
            previous = self.session.conversation.insert(item)
            await self.emit({"type": "conversation.item.added", "previous_item_id": previous,
                             "item": self.session.conversation.public(item)})

    async def _function_call(self, reply: Reply) -> None:
        await self._open_item({"id": new_id("item_"), "object": "realtime.item", "type": "function_call",
                               "status": "in_progress", "name": reply.tool_name, "call_id": new_id("call_"),
                               "arguments": ""})
        arguments = json.dumps(reply.arguments or {})
        if await self.pause(self.session.options.first_delta_ms / 1000):
            return
        for start in range(0, len(arguments), 8):
            delta = arguments[start:start + 8]
            await self.emit({"type": "response.function_call_arguments.delta", **self.ids(),
                             "call_id": self.item["call_id"], "delta": delta})
            self.item["arguments"] += delta
            if await self.pause(self.session.options.text_delta_ms / 1000):
                return
        await self.emit({"type": "response.function_call_arguments.done", **self.ids(),
                         "call_id": self.item["call_id"], "name": self.item["name"], "arguments": arguments})

    async def _message(self, reply: Reply) -> None:
        words = reply.text.split(" ")
        limit = self.params.max_output_tokens
        if limit != "inf" and len(words) > int(limit):
            words = words[: int(limit)]
            self.incomplete = True
        text = " ".join(words)
        audio = "audio" in self.params.output_modalities
        part_type = "output_audio" if audio else "output_text"
        await self._open_item({"id": new_id("item_"), "object": "realtime.item", "type": "message",
                               "role": "assistant", "status": "in_progress", "content": []})
        self.item["content"].append({"type": part_type, "transcript": ""} if audio else {"type": part_type, "text": ""})
        self.part_open = True
        await self.emit({"type": "response.content_part.added", **self.ids(content_index=0),
                         "part": {"type": "audio", "transcript": ""} if audio else {"type": "text", "text": ""}})
        if await self.pause(self.session.options.first_delta_ms / 1000):
            return
        if audio:
            await self._stream_audio(text)
        else:
            await self._stream_text(words)

    def _append_text(self, delta: str) -> None:
        self.text += delta
        part = self.item["content"][0]
        part["transcript" if part["type"] == "output_audio" else "text"] = self.text

    async def _stream_text(self, words: list[str]) -> None:
        for index, word in enumerate(words):
            delta = word if index == 0 else " " + word
            await self.emit({"type": "response.output_text.delta", **self.ids(content_index=0), "delta": delta,
                             "obfuscation": obfuscation()})
            self._append_text(delta)
            if await self.pause(self.session.options.text_delta_ms / 1000):
                return

    async def _stream_audio(self, text: str) -> None:
        pcm = await asyncio.to_thread(self.session.synthesize, text, self.params.voice)
        words = text.split(" ")
        self.session.conversation.alignment[self.item["id"]] = (len(words), len(pcm) / PCM_BYTES_PER_MS)
        sent_words = 0
        offset = 0
        chunk_index = 0
        factor = max(self.session.options.realtime_factor, 1e-6)
        while offset < len(pcm):
            size = DELTA_SIZES[chunk_index] if chunk_index < len(DELTA_SIZES) else STEADY_DELTA
            chunk = pcm[offset:offset + size]
            ahead = min(1.0, (offset + len(chunk)) / len(pcm) + TRANSCRIPT_LEAD)
            while sent_words < math.ceil(ahead * len(words)):
                delta = words[sent_words] if sent_words == 0 else " " + words[sent_words]
                await self.emit({"type": "response.output_audio_transcript.delta", **self.ids(content_index=0),
                                 "delta": delta, "obfuscation": obfuscation()})
                self._append_text(delta)
                sent_words += 1
            wire = from_pcm24k(chunk, self.params.output_format.get("type", "audio/pcm"))
            await self.emit({"type": "response.output_audio.delta", **self.ids(content_index=0),
                             "delta": base64.b64encode(wire).decode()})
            self.session.voice_locked = True
            self.session.conversation.append_audio(self.item["id"], chunk)
            self.audio_bytes += len(chunk)
            offset += len(chunk)
            chunk_index += 1
            if await self.pause(len(chunk) / PCM_BYTES_PER_MS / 1000 / factor):
                return

    # --- close-out ----------------------------------------------------------------------------------

    async def _finish(self) -> None:
        if self.cancel_reason is not None:
            status, details = "cancelled", {"type": "cancelled", "reason": self.cancel_reason}
        elif self.incomplete:
            status, details = "incomplete", {"type": "incomplete", "reason": "max_output_tokens"}
        else:
            status, details = "completed", None
        if self.item is not None:
            await self._close_item("completed" if status == "completed" else "incomplete")
        usage = response_usage(self.session.conversation, self._input_items(), self.output, self.text, self.audio_bytes)
        self._release()  # before response.done is sent: a response.create answering it must be accepted
        await self.emit({"type": "response.done", "response": self.response_object(status, details, usage)})
        await self.emit({"type": "rate_limits.updated", "rate_limits": [
            self.session.rate_limit(usage["total_tokens"])]})

    async def _close_item(self, item_status: str) -> None:
        item = self.item
        if self.part_open:
            part = item["content"][0]
            if part["type"] == "output_audio":
                await self.emit({"type": "response.output_audio.done", **self.ids(content_index=0)})
                await self.emit({"type": "response.output_audio_transcript.done", **self.ids(content_index=0),
                                 "transcript": self.text})
                done_part = {"type": "audio", "transcript": self.text}
            else:
                await self.emit({"type": "response.output_text.done", **self.ids(content_index=0), "text": self.text})
                done_part = {"type": "text", "text": self.text}
            await self.emit({"type": "response.content_part.done", **self.ids(content_index=0), "part": done_part})
        item["status"] = item_status
        if self.params.in_conversation and self.session.conversation.get(item["id"]) is not None:
            index = self.session.conversation.items.index(item)
            previous = self.session.conversation.items[index - 1]["id"] if index else None
            await self.emit({"type": "conversation.item.done", "previous_item_id": previous,
                             "item": self.session.conversation.public(item)})
        await self.emit({"type": "response.output_item.done", "response_id": self.id,
                         "output_index": len(self.output) - 1, "item": self.session.conversation.public(item)})

