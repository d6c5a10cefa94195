"""One emulated realtime session per WebSocket connection: state, client event handlers, emission.

Everything inside is GA-shaped; `emit` renders each server event into the connection's dialect.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any, Callable

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from . import settings
from .audio_input import AudioInput
from .codec import from_pcm24k
from .conversation import ConversationStore
from .faults import FaultInjector
from .options import EmulatorOptions
from .outbox import Outbox
from .protocol import (BETA_CLIENT_TYPES, GA_CLIENT_TYPES, PCM_BYTES_PER_MS, ProtocolError, default_session,
                       encode_frame, error_event, new_id, to_beta)
from .responder import Responder
from .response import ResponseRun, response_params
from .voice import synthesize

TOKENS_PER_MINUTE = 40_000
log = logging.getLogger(__name__)


def expiry_message(seconds: float) -> str:
    """The service's words at the session limit ("… of 60 minutes.")."""
    amount, unit = (seconds / 60, "minute") if seconds % 60 == 0 else (seconds, "second")
    return f"Your session hit the maximum duration of {amount:g} {unit}{'' if amount == 1 else 's'}."


class RealtimeSession:
    def __init__(self, ws: ServerConnection, *, dialect: str, model: str, voice: str, options: EmulatorOptions,
                 max_session_s: float, connection_index: int, record: Callable[[str, dict[str, Any], str], None]) -> None:
        self.ws = ws
        self.dialect = dialect
        self.options = options.timing()
        self.max_session_s = max_session_s
        self.session = default_session(model, voice, max_session_s)
        self.temperature = 0.8  # beta only
        self.conversation = ConversationStore()
        self.responder = Responder(options.script.rules)
        self.active: ResponseRun | None = None  # the default-conversation response in progress
        self.side_runs: set[ResponseRun] = set()  # conversation "none" responses
        self.voice_locked = False
        self.closed = False
        self.faults = FaultInjector(options.faults, connection_index) if options.faults.active else None
        self.record = record
        self.conversation_id = new_id("conv_")
        self.tokens_used = 0
        self._send_lock = asyncio.Lock()  # fault injection's delays must not reorder events
        self.outbox = Outbox(ws)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.audio = AudioInput(self)

    # --- lifecycle ----------------------------------------------------------------------------------

    async def run(self) -> None:
        await self.emit({"type": "session.created", "session": self.session})
        expiry = self.spawn(self._expire_after(self.max_session_s))
        try:
            async for message in self.ws:
                await self.handle(message)
        except ConnectionClosed:
            pass
        finally:
            self.closed = True
            expiry.cancel()
            for task in list(self._tasks):
                task.cancel()

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Start a task owned by this session: cancelled when the connection ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _expire_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        message = expiry_message(seconds)
        await self.emit(error_event("session_expired", message))
        await self.close(1001, message)

    async def close(self, code: int, reason: str = "") -> None:
        self.closed = True
        self.outbox.flush()
        if code == 1006:
            self.ws.transport.abort()  # no close frame: the client sees an abnormal closure
        else:
            await self.ws.close(code, reason[:120])

    # --- emission -----------------------------------------------------------------------------------

    async def emit(self, event: dict[str, Any]) -> None:
        if self.closed:
            return
        event = {"type": event["type"], "event_id": new_id("event_"), **{k: v for k, v in event.items() if k != "type"}}
        wire = event if self.dialect == "ga" else to_beta(event, self.temperature)
        if wire is None:
            return
        frame = encode_frame(wire)
        self.record("server", wire, self.dialect)
        if self.faults is None:
            try:
                if await self.outbox.send(frame):
                    return
            except (ConnectionClosed, OSError):
                pass
            self.closed = True  # the client is gone: responses stop at their next pause
            return
        async with self._send_lock:
            try:
                plan = self.faults.plan(frame.decode(), wire)
                if plan.delay_s:
                    await asyncio.sleep(plan.delay_s)
                for out in plan.frames:
                    await self.ws.send(out)
                if plan.close_after:
                    await self.close(self.options.faults.close_code, "emulator fault injection")
            except ConnectionClosed:
                self.closed = True

    async def error(self, exc: ProtocolError, client_event_id: str | None) -> None:
        await self.emit(exc.event(client_event_id))

    # --- dispatch -----------------------------------------------------------------------------------

    async def handle(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            await self.emit(error_event("invalid_event", "Expected a text WebSocket message; binary frames are "
                                        "not supported."))
            return
        try:
            event = json.loads(message)
        except ValueError as exc:
            await self.emit(error_event("invalid_json", f"Invalid event: failed to parse JSON value. {exc}"))
            return
        if not isinstance(event, dict):
            await self.emit(error_event("invalid_json", "Invalid event: expected a JSON object."))
            return
        self.record("client", event, self.dialect)
        client_event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
        kind = event.get("type")
        handler = self._handlers().get(kind) if isinstance(kind, str) else None
        try:
            if handler is None:
                self._unknown_type(kind)
            else:
                await handler(event)
        except ProtocolError as exc:
            await self.error(exc, client_event_id)
        except Exception:  # an emulator bug must not end the session: report it like the service's server_error
            log.exception("emulator failed handling %s", kind)
            await self.emit(error_event(None, f"The emulator failed handling '{kind}'.", None, client_event_id,
                                        "server_error"))

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "session.update": self.on_session_update,
            "conversation.item.create": self.on_item_create,
            "conversation.item.retrieve": self.on_item_retrieve,
            "conversation.item.delete": self.on_item_delete,
            "conversation.item.truncate": self.on_item_truncate,
            "response.create": self.on_response_create,
            "response.cancel": self.on_response_cancel,
            "input_audio_buffer.append": self.audio.on_append,
            "input_audio_buffer.commit": self.audio.on_commit,
            "input_audio_buffer.clear": self.audio.on_clear,
        }

    def _unknown_type(self, kind: Any) -> None:
        if kind is None:
            raise ProtocolError("missing_required_parameter", "Missing required parameter: 'type'.", "type")
        allowed = GA_CLIENT_TYPES if self.dialect == "ga" else BETA_CLIENT_TYPES
        if kind in allowed:  # accepted by the service, but not something the emulator can do
            raise ProtocolError("unsupported_event", f"The emulator does not support '{kind}'.", "type")
        listed = ", ".join(f"'{t}'" for t in allowed[:-1]) + f", and '{allowed[-1]}'"
        raise ProtocolError("invalid_value", f"Invalid value: '{kind}'. Supported values are: {listed}.", "type")

    # --- session ------------------------------------------------------------------------------------

    async def on_session_update(self, event: dict[str, Any]) -> None:
        if self.dialect == "ga":
            update = settings.check_ga_update(event)
            temperature = None
        else:
            raw = event.get("session")
            if not isinstance(raw, dict):
                raise ProtocolError("missing_required_parameter", "Missing required parameter: 'session'.", "session")
            update, temperature = settings.beta_to_ga(raw)
        self.session = settings.merged_session(self.session, update, voice_locked=self.voice_locked)
        if temperature is not None:
            self.temperature = temperature
        self.audio.configure()
        await self.emit({"type": "session.updated", "session": self.session})

    # --- conversation items ---------------------------------------------------------------------------

    async def on_item_create(self, event: dict[str, Any]) -> None:
        item = self.conversation.check_new_item(event.get("item"), self.dialect)
        previous = self.conversation.insert(item, event.get("previous_item_id"))
        await self.emit_item_added_done(item, previous)

    async def emit_item_added_done(self, item: dict[str, Any], previous: str | None) -> None:
        await self.emit({"type": "conversation.item.added", "previous_item_id": previous, "item": self.conversation.public(item)})
        await self.emit({"type": "conversation.item.done", "previous_item_id": previous, "item": self.conversation.public(item)})

    async def on_item_retrieve(self, event: dict[str, Any]) -> None:
        item_id = str(event.get("item_id", ""))
        item = self.conversation.get(item_id)
        if item is None:
            raise ProtocolError("item_retrieve_invalid_item_id",
                                f"Error retrieving item: the item with id '{item_id}' does not exist.")
        shown = self.conversation.public(item, with_audio=True)
        for part in shown.get("content") or []:
            if part.get("audio"):  # stored as pcm16 24 kHz; shown in the session's format for that direction
                side = "output" if part["type"] == "output_audio" else "input"
                fmt = self.session["audio"][side]["format"]["type"]
                part["audio"] = base64.b64encode(from_pcm24k(base64.b64decode(part["audio"]), fmt)).decode()
        await self.emit({"type": "conversation.item.retrieved", "item": shown})

    async def on_item_delete(self, event: dict[str, Any]) -> None:
        item_id = str(event.get("item_id", ""))
        if not self.conversation.delete(item_id):
            raise ProtocolError("item_delete_invalid_item_id",
                                f"Error deleting item: the item with id '{item_id}' does not exist.")
        await self.emit({"type": "conversation.item.deleted", "item_id": item_id})

    async def on_item_truncate(self, event: dict[str, Any]) -> None:
        item_id = str(event.get("item_id", ""))
        content_index = event.get("content_index", 0)
        audio_end_ms = event.get("audio_end_ms")
        self.conversation.truncate(item_id, content_index, audio_end_ms)
        await self.emit({"type": "conversation.item.truncated", "item_id": item_id,
                         "content_index": content_index, "audio_end_ms": audio_end_ms})

    # --- responses ----------------------------------------------------------------------------------

    async def on_response_create(self, event: dict[str, Any]) -> None:
        params = response_params(event.get("response") or {}, self)
        if params.in_conversation and self.active is not None:
            raise ProtocolError("conversation_already_has_active_response",
                                f"Conversation already has an active response in progress: {self.active.id}. "
                                "Wait until the response is finished before creating a new one.")
        self.start_response(params)

    def start_response(self, params: Any) -> ResponseRun:
        run = ResponseRun(self, params)
        if params.in_conversation:
            self.active = run
        else:
            self.side_runs.add(run)
        run.task = self.spawn(run.run())
        return run

    def response_finished(self, run: ResponseRun) -> None:
        if self.active is run:
            self.active = None
        self.side_runs.discard(run)
        self.audio.response_finished(run.audio_bytes / PCM_BYTES_PER_MS)

    async def on_response_cancel(self, event: dict[str, Any]) -> None:
        wanted = event.get("response_id")
        runs = [r for r in [self.active, *self.side_runs] if r is not None and (wanted is None or r.id == wanted)]
        if not runs:
            raise ProtocolError("response_cancel_not_active", "Cancellation failed: no active response found")
        await runs[0].cancel("client_cancelled")

    # --- helpers for responses ---------------------------------------------------------------------

    @staticmethod
    def synthesize(text: str, voice: Any) -> bytes:
        return synthesize(text, voice if isinstance(voice, str) else "marin")

    def rate_limit(self, tokens: int) -> dict[str, Any]:
        self.tokens_used += tokens
        remaining = max(0, TOKENS_PER_MINUTE - self.tokens_used)
        return {"name": "tokens", "limit": TOKENS_PER_MINUTE, "remaining": remaining,
                "reset_seconds": round(60 * self.tokens_used / TOKENS_PER_MINUTE, 3)}
