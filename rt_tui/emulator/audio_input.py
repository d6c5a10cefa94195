"""Input audio: the buffer, commit/clear, server/semantic VAD turns, idle timeout, barge-in, transcription."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from typing import TYPE_CHECKING, Any

from .codec import to_pcm24k
from .protocol import PCM_BYTES_PER_MS, ProtocolError, new_id, obfuscation
from .vad import SEMANTIC_SILENCE_MS, ServerVad

if TYPE_CHECKING:
    from .session import RealtimeSession

MIN_COMMIT_MS = 100
MAX_APPEND_BYTES = 15 * 1024 * 1024
# With VAD on and nobody speaking, only this much recent audio is kept (a mic left open for an hour
# would otherwise hold 170 MB); a VAD turn only needs the audio from its padded speech start.
MAX_IDLE_BUFFER_BYTES = 60_000 * PCM_BYTES_PER_MS


class AudioInput:
    def __init__(self, session: RealtimeSession) -> None:
        self.session = session
        self.buffer = bytearray()
        self.appended_bytes = 0  # everything ever appended: VAD positions count from the first byte
        self.vad = ServerVad()  # always fed, so positions count from the first appended byte
        self.turn: dict[str, Any] | None = None
        self.speech_item_id: str | None = None
        self.speech_start_ms = 0
        self._idle_task: asyncio.Task[None] | None = None
        self.configure()

    def configure(self) -> None:
        """Apply the session's turn detection (after `session.update`)."""
        self.turn = self.session.session["audio"]["input"]["turn_detection"]
        if self.turn is None:
            self.vad.idle_timeout_ms = None
            return
        if self.turn["type"] == "semantic_vad":
            self.vad.threshold = 0.5
            self.vad.prefix_padding_ms = 300
            self.vad.silence_duration_ms = SEMANTIC_SILENCE_MS[self.turn.get("eagerness", "auto")]
            self.vad.idle_timeout_ms = None
        else:
            self.vad.threshold = self.turn["threshold"]
            self.vad.prefix_padding_ms = self.turn["prefix_padding_ms"]
            self.vad.silence_duration_ms = self.turn["silence_duration_ms"]
            self.vad.idle_timeout_ms = self.turn.get("idle_timeout_ms")
        self._arm_idle_timer()

    # --- client events ------------------------------------------------------------------------------

    async def on_append(self, event: dict[str, Any]) -> None:
        audio = event.get("audio")
        if not isinstance(audio, str):
            raise ProtocolError("missing_required_parameter", "Missing required parameter: 'audio'.", "audio")
        try:
            pcm = base64.b64decode(audio, validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("invalid_value", "Invalid 'audio'. Expected base64-encoded audio data.", "audio") from None
        if len(pcm) > MAX_APPEND_BYTES:
            raise ProtocolError("invalid_value", "Invalid 'audio': audio chunk exceeds the maximum of 15 MiB.", "audio")
        wire_format = self.session.session["audio"]["input"]["format"]["type"]
        if wire_format == "audio/pcm" and len(pcm) % 2:
            raise ProtocolError("invalid_value", f"Invalid 'audio': pcm16 audio must have an even number of bytes, "
                                f"got {len(pcm)}.", "audio")
        pcm = to_pcm24k(pcm, wire_format)
        self.buffer += pcm
        self.appended_bytes += len(pcm)
        if self.turn is not None and not self.vad.in_speech and len(self.buffer) > MAX_IDLE_BUFFER_BYTES:
            del self.buffer[:len(self.buffer) - MAX_IDLE_BUFFER_BYTES]  # silence nobody will commit
        for vad_event in self.vad.feed(pcm):
            if self.turn is None:
                continue
            if vad_event.kind == "speech_started":
                await self._speech_started(vad_event.audio_ms)
            else:
                await self._speech_stopped(vad_event.audio_ms)

    async def on_commit(self, event: dict[str, Any]) -> None:
        have_ms = len(self.buffer) / PCM_BYTES_PER_MS
        if have_ms < MIN_COMMIT_MS:
            raise ProtocolError("input_audio_buffer_commit_empty", "Error committing input audio buffer: buffer too "
                                f"small. Expected at least {MIN_COMMIT_MS}ms of audio, but buffer only has "
                                f"{have_ms:.2f}ms of audio.")
        await self.commit(self.speech_item_id or new_id("item_"))

    async def on_clear(self, event: dict[str, Any]) -> None:
        self.buffer.clear()
        self.vad.reset()
        self.speech_item_id = None
        await self.session.emit({"type": "input_audio_buffer.cleared"})

    # --- turns --------------------------------------------------------------------------------------

    async def _speech_started(self, audio_start_ms: int) -> None:
        self._cancel_idle_timer()
        self.speech_item_id = new_id("item_")
        self.speech_start_ms = audio_start_ms
        await self.session.emit({"type": "input_audio_buffer.speech_started", "audio_start_ms": audio_start_ms,
                                 "item_id": self.speech_item_id})
        active = self.session.active
        if active is not None and not active.finished and self.turn and self.turn.get("interrupt_response", True):
            await active.cancel("turn_detected")

    async def _speech_stopped(self, audio_end_ms: int) -> None:
        item_id = self.speech_item_id or new_id("item_")
        await self.session.emit({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": audio_end_ms,
                                 "item_id": item_id})
        await self.commit(item_id, self.speech_start_ms, audio_end_ms)
        await self._auto_respond()

    async def _auto_respond(self) -> None:
        if not (self.turn and self.turn.get("create_response", True)):
            return
        active = self.session.active
        if active is not None and not active.finished:
            return  # interrupt_response off and a response still running: the new turn waits for a client request
        from .response import response_params

        self.session.start_response(response_params({}, self.session))

    async def commit(self, item_id: str, start_ms: int | None = None, end_ms: int | None = None) -> None:
        """Commit the buffer, or for a VAD turn the detected speech (with its padding); audio after the
        speech stays in the buffer for the next turn."""
        pcm = bytes(self.buffer)
        self.buffer.clear()
        if end_ms is not None:
            buffer_start = (self.appended_bytes - len(pcm)) // PCM_BYTES_PER_MS
            cut = max(0, (end_ms - buffer_start) * PCM_BYTES_PER_MS)
            self.buffer += pcm[cut:]
            pcm = pcm[max(0, ((start_ms or 0) - buffer_start) * PCM_BYTES_PER_MS):cut]
        else:
            self.vad.reset()
        self.speech_item_id = None
        store = self.session.conversation
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "user", "status": "completed",
                "content": [{"type": "input_audio", "transcript": None}]}
        store.audio[item_id] = pcm
        previous = store.insert(item)
        await self.session.emit({"type": "input_audio_buffer.committed", "previous_item_id": previous,
                                 "item_id": item_id})
        await self.session.emit_item_added_done(item, previous)
        transcription = self.session.session["audio"]["input"]["transcription"]
        if transcription is not None:
            self.session.spawn(self._transcribe(item, len(pcm) / PCM_BYTES_PER_MS, transcription["model"]))

    # --- idle timeout -------------------------------------------------------------------------------

    def response_finished(self, audio_ms: float = 0.0) -> None:
        """A response ended having produced `audio_ms` of audio: the idle timeout runs from the end of its
        playback (the service: "the `response.done` time plus audio playback duration")."""
        self._arm_idle_timer(audio_ms / 1000)

    def _cancel_idle_timer(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
            self._idle_task = None

    def _arm_idle_timer(self, playback_s: float = 0.0) -> None:
        self._cancel_idle_timer()
        if self.turn is None or self.vad.idle_timeout_ms is None or self.session.closed:
            return
        self._idle_task = self.session.spawn(self._idle_after(playback_s))

    async def _idle_after(self, playback_s: float) -> None:
        await asyncio.sleep(playback_s)
        opened_ms = self.vad.position_ms  # audio written after the reply finished playing starts here
        since = time.monotonic()
        while True:
            wait_ms = self.vad.ms_until_idle_timeout((time.monotonic() - since) * 1000)
            if wait_ms is None:
                return
            if wait_ms <= 0:
                break
            await asyncio.sleep(wait_ms / 1000)
        self._idle_task = None
        active = self.session.active
        if active is not None and not active.finished:
            return
        item_id = new_id("item_")
        end_ms = self.vad.position_ms
        start_ms = min(end_ms, max(opened_ms, end_ms - len(self.buffer) // PCM_BYTES_PER_MS))
        await self.session.emit({"type": "input_audio_buffer.timeout_triggered", "audio_start_ms": start_ms,
                                 "audio_end_ms": end_ms, "item_id": item_id})
        await self.commit(item_id)
        await self._auto_respond()

    # --- transcription ------------------------------------------------------------------------------

    async def _transcribe(self, item: dict[str, Any], audio_ms: float, model: str) -> None:
        await asyncio.sleep(self.session.options.transcription_delay_ms / 1000)
        item_id = item["id"]
        if audio_ms < MIN_COMMIT_MS:
            await self.session.emit({
                "type": "conversation.item.input_audio_transcription.failed", "item_id": item_id, "content_index": 0,
                "error": {"type": "server_error", "code": None, "param": None,
                          "message": f"Input transcription failed for item '{item_id}'."}})
            return
        transcript = f"[{audio_ms / 1000:.1f} s of speech; the emulator does not transcribe audio]"
        pieces = [transcript] if model == "whisper-1" else [w if i == 0 else " " + w
                                                             for i, w in enumerate(transcript.split(" "))]
        for piece in pieces:
            await self.session.emit({"type": "conversation.item.input_audio_transcription.delta", "item_id": item_id,
                                     "content_index": 0, "delta": piece, "obfuscation": obfuscation()})
        item["content"][0]["transcript"] = transcript
        if model == "whisper-1":
            usage: dict[str, Any] = {"type": "duration", "seconds": round(audio_ms / 1000, 3)}
        else:
            audio_tokens = max(1, round(audio_ms / 100))
            text_tokens = max(1, len(transcript) // 4)
            usage = {"type": "tokens", "input_tokens": audio_tokens, "output_tokens": text_tokens,
                     "total_tokens": audio_tokens + text_tokens,
                     "input_token_details": {"text_tokens": 0, "audio_tokens": audio_tokens}}
        await self.session.emit({"type": "conversation.item.input_audio_transcription.completed", "item_id": item_id,
                                 "content_index": 0, "transcript": transcript, "usage": usage})
