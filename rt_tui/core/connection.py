"""RealtimeWorker: owns the SDK connection, the send queue, the receive loop and reconnecting.

The same code path serves Azure (both routes), OpenAI and the emulator: `auth.open_client` picks the
SDK client and the dialect; frames are read raw and normalised at the dialect edge, so `on_event`
only ever sees GA-shaped `Event`s. Network and auth problems never raise out of `run()`; they become
`ConnectionStatus` updates, and `reconnect()` tries again.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Literal

import orjson

from rt_tui.config import Target

from .auth import RealtimeClient, open_client
from .connect_errors import RECONNECTABLE_CLOSE_CODES, describe_close, describe_connect_error
from .dialect import normalize_server_event, render_client_event
from .events import Event
from .redaction import redact_text
from .session import SessionConfig

State = Literal["connecting", "connected", "reconnecting", "disconnected", "failed"]

log = logging.getLogger(__name__)

MALFORMED_FRAME = "rt_tui.malformed_frame"  # a server frame that is not a JSON object (delivered, not fatal)


@dataclass(frozen=True)
class ConnectionStatus:
    state: State
    message: str = ""


class RealtimeWorker:
    def __init__(
        self,
        target: Target,
        config: SessionConfig,
        on_event: Callable[[Event], None],
        on_status: Callable[[ConnectionStatus], None],
        *,
        client_factory: Callable[[Target], RealtimeClient] = open_client,
        max_retries: int = 5,
        initial_delay: float = 0.5,
        max_delay: float = 8.0,
        handshake_timeout: float = 15.0,
    ) -> None:
        self.target = target
        self.config = config
        self._on_event = on_event
        self._on_status = on_status
        self._client_factory = client_factory
        self._max_retries, self._initial_delay, self._max_delay = max_retries, initial_delay, max_delay
        self._handshake_timeout = handshake_timeout
        self._pending: collections.deque[dict[str, Any]] = collections.deque()
        self._wakeup = asyncio.Event()
        self._retry = asyncio.Event()
        self._stopping = asyncio.Event()
        self._finished = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._connection: Any = None
        self._current: asyncio.Future[_Outcome] | None = None
        self._assistant_audio_seen = False
        self._started = time.monotonic()
        self.status = ConnectionStatus("disconnected", "")

    # --- commands (plain methods, safe to call any time, from any thread) -------------------------

    def send(self, event: dict[str, Any]) -> None:
        """Queue a GA-shaped client event; it is rendered into the connection's dialect when sent."""
        self._enqueue(dict(event))

    def send_text(self, text: str) -> None:
        self.send({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}})
        self.create_response()

    def update_session(self, config: SessionConfig) -> None:
        self.config = config
        self._enqueue({"type": "session.update", "_config": config})

    def create_response(self, **overrides: Any) -> None:
        self.send({"type": "response.create", **({"response": overrides} if overrides else {})})

    def cancel_response(self) -> None:
        self.send({"type": "response.cancel"})

    def append_audio(self, pcm16: bytes) -> None:
        """pcm16 24 kHz mono; dropped while not connected (stale live audio would confuse the server's VAD)."""
        import base64

        self.send({"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm16).decode("ascii")})

    def commit_audio(self) -> None:
        self.send({"type": "input_audio_buffer.commit"})

    def clear_audio(self) -> None:
        self.send({"type": "input_audio_buffer.clear"})

    def truncate(self, item_id: str, audio_end_ms: int) -> None:
        self.send({"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0,
                   "audio_end_ms": max(0, int(audio_end_ms))})

    def delete_item(self, item_id: str) -> None:
        self.send({"type": "conversation.item.delete", "item_id": item_id})

    def reconnect(self) -> None:
        """Try again now: after a failure, or to start a fresh session while connected."""
        self._call_in_loop(self._request_reconnect)

    async def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()
        connection = self._connection
        if connection is None and self._current is not None:
            self._current.cancel()  # still connecting: don't wait for the handshake to time out
        elif connection is not None:
            try:
                await connection.close()
            except Exception:
                pass
        if self._loop is not None:
            try:
                await asyncio.wait_for(self._finished.wait(), timeout=5)
            except asyncio.TimeoutError:
                pass

    # --- the loop ----------------------------------------------------------------------------------

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._started = time.monotonic()
        client: RealtimeClient | None = None
        try:
            client = self._client_factory(self.target)
            state: State = "connecting"
            attempt = 0
            while not self._stopping.is_set():
                self._set_status(state, self._connecting_message(state, attempt))
                self._current = current = asyncio.ensure_future(self._one_session(client))
                try:
                    outcome = await current
                except asyncio.CancelledError:
                    if current.cancelled() and self._stopping.is_set():
                        break  # stop() cancelled a connect in progress
                    current.cancel()  # run() itself was cancelled
                    raise
                finally:
                    self._current = None
                if self._stopping.is_set():
                    break
                # A first connect fails at once (the user sees why); a dropped session retries with back-off.
                if outcome.was_connected:
                    attempt = 0
                retry = not outcome.fatal and (
                    outcome.was_connected or (state == "reconnecting" and attempt < self._max_retries))
                if not retry:
                    message = outcome.message
                    if state == "reconnecting" and not outcome.fatal:
                        message = f"{message} — gave up after {attempt} reconnect attempts"
                    self._retry.clear()  # before the status: a subscriber may call reconnect() at once
                    self._set_status("disconnected" if outcome.code == 1000 else "failed", message)
                    await self._wait_for_retry()
                    state, attempt = "connecting", 0
                    continue
                attempt += 1
                self._retry.clear()
                self._set_status("reconnecting", f"{outcome.message}; reconnecting (attempt {attempt})")
                await self._sleep(min(self._max_delay, self._initial_delay * 2 ** (attempt - 1)))
                state = "reconnecting"
        except Exception as exc:  # a bug, not a network problem: report it instead of dying silently
            self._set_status("failed", f"Internal error in the connection worker: {type(exc).__name__}: {exc}")
        finally:
            if client is not None:
                await client.aclose()
            self._set_status("disconnected", "stopped" if self._stopping.is_set() else self.status.message)
            self._finished.set()

    async def _one_session(self, client: RealtimeClient) -> _Outcome:
        self._assistant_audio_seen = False
        try:
            self._connection = await asyncio.wait_for(client.connect().enter(), self._handshake_timeout)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            message = describe_connect_error(exc, self.target)
            return _Outcome(message, fatal=not _transient(exc), code=None, was_connected=False)
        try:
            return await self._pump(self._connection)
        finally:
            connection, self._connection = self._connection, None
            try:
                await connection.close()
            except Exception:
                pass

    async def _pump(self, connection: Any) -> _Outcome:
        last_error: dict[str, Any] | None = None
        created = False
        sender: asyncio.Task[None] | None = None
        try:
            while True:
                try:
                    raw = await connection.recv_bytes()
                except Exception as exc:
                    return self._closed_outcome(exc, last_error, created)
                for payload in self._deliver_server_frame(raw):
                    kind = payload.get("type")
                    # an error right before a close explains the close (OpenAI: error, then 3000/4000/1001)
                    last_error = (payload.get("error") or {}) if kind == "error" else None
                    if kind == "session.created" and not created:
                        created = True
                        try:
                            await self._configure(connection)
                        except Exception as exc:  # the socket died right after session.created
                            return self._closed_outcome(exc, None, created)
                        self._set_status("connected", self.target.describe())
                        sender = asyncio.create_task(self._send_loop(connection))
                    elif kind in ("response.output_audio.delta", "response.output_audio.done"):
                        self._assistant_audio_seen = True
        finally:
            if sender is not None:
                sender.cancel()
                try:
                    await sender
                except (asyncio.CancelledError, Exception):
                    pass

    async def _configure(self, connection: Any) -> None:
        """Send this worker's session.update first, before anything queued (the new session has defaults)."""
        queued = [e for e in self._pending if not (e["type"] == "session.update" and "_config" in e)]
        self._pending.clear()
        self._pending.extend(queued)  # the configuration sent now already is the latest one
        await self._send_one(connection, {"type": "session.update", "_config": self.config})

    async def _send_loop(self, connection: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        while True:
            while self._pending:
                event = self._pending[0]
                try:
                    await self._send_one(connection, event)
                except ConnectionClosed:
                    return  # the event stays queued for the next session; the receive loop sees the close
                except Exception as exc:  # this one event cannot be sent (bad shape): drop it, say why
                    self._emit_local_error(event, exc)
                self._pending.popleft()
            self._wakeup.clear()
            if not self._pending:
                await self._wakeup.wait()

    async def _send_one(self, connection: Any, event: dict[str, Any]) -> None:
        dialect = self.target.dialect
        if event["type"] == "session.update" and "_config" in event:
            config: SessionConfig = event["_config"]
            include_voice = not self._assistant_audio_seen
            ga = config.session_update("ga", include_voice=include_voice)
            wire = config.session_update(dialect, include_voice=include_voice)
        else:
            ga = event
            wire = render_client_event(event, dialect)
        await connection.send(wire)
        size = len(json.dumps(wire))
        self._emit(Event("client", ga["type"], ga, self._now(), wire_type=wire.get("type", ""), size=size))

    def _deliver_server_frame(self, raw: bytes | str) -> list[dict[str, Any]]:
        size = len(raw)
        try:
            data = _parse_json(raw)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except (ValueError, RecursionError) as exc:
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            payload = {"type": MALFORMED_FRAME, "error": str(exc)[:200], "frame": text[:200]}
            self._emit(Event("server", MALFORMED_FRAME, payload, self._now(), wire_type="", size=size))
            return []
        wire_type = str(data.get("type", ""))
        normalized = normalize_server_event(data, self.target.dialect)
        for payload in normalized:
            self._emit(Event("server", str(payload.get("type", "")), payload, self._now(), wire_type=wire_type,
                             size=size))
        return normalized

    # --- helpers -----------------------------------------------------------------------------------

    def _closed_outcome(self, exc: BaseException, error: dict[str, Any] | None, was_connected: bool) -> _Outcome:
        from websockets.exceptions import ConnectionClosed

        if not isinstance(exc, ConnectionClosed):
            return _Outcome(f"Connection error: {type(exc).__name__}: {exc}", fatal=False, code=None,
                            was_connected=was_connected)
        frame = exc.rcvd
        code = frame.code if frame is not None else 1006
        reason = frame.reason if frame is not None else ""
        message = describe_close(code, reason, error)
        fatal = code not in RECONNECTABLE_CLOSE_CODES
        return _Outcome(message, fatal=fatal, code=code, was_connected=was_connected)

    def _enqueue(self, event: dict[str, Any]) -> None:
        def put() -> None:
            if event["type"] == "input_audio_buffer.append" and self.status.state != "connected":
                return  # live audio is worthless once stale; everything else waits for the next session
            self._pending.append(event)
            self._wakeup.set()

        self._call_in_loop(put)

    def _call_in_loop(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is not None and threading.get_ident() != self._thread and not loop.is_closed():
            loop.call_soon_threadsafe(fn)
        else:
            fn()

    def _request_reconnect(self) -> None:
        if self.status.state in ("failed", "disconnected", "reconnecting"):
            self._retry.set()  # ends the wait for a retry, or the back-off pause
        elif self._connection is not None and self._loop is not None:
            self._loop.create_task(self._connection.close(code=1001, reason="reconnect requested"))

    async def _wait_for_retry(self) -> None:
        await self._sleep(None)

    async def _sleep(self, seconds: float | None) -> None:
        """The back-off pause (None: until told); stop() or reconnect() cut it short."""
        waiters = [asyncio.ensure_future(self._retry.wait()), asyncio.ensure_future(self._stopping.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _connecting_message(self, state: State, attempt: int) -> str:
        if state == "reconnecting":
            return f"reconnecting to {self.target.describe()} (attempt {attempt})"
        return f"connecting to {self.target.describe()}"

    def _set_status(self, state: State, message: str) -> None:
        secrets = [self.target.api_key] if self.target.api_key else []
        self.status = ConnectionStatus(state, redact_text(message, secrets))
        try:
            self._on_status(self.status)
        except Exception:  # a subscriber's bug must not take the connection down
            log.exception("on_status callback failed")

    def _emit_local_error(self, event: dict[str, Any], exc: Exception) -> None:
        """Reported like a server `error` (the conversation shows it), marked local in `extra`."""
        message = f"rt-tui could not send {event.get('type')}: {type(exc).__name__}: {exc}"
        payload = {"type": "error", "error": {"type": "client_error", "code": "rt_tui_send_failed",
                                              "message": message, "param": None, "event_id": None}}
        self._emit(Event("server", "error", payload, self._now(), wire_type="", extra={"local": True}))

    def _emit(self, event: Event) -> None:
        try:
            self._on_event(event)
        except Exception:  # a subscriber's bug must not take the connection down
            log.exception("on_event callback failed for %s", event.type)

    def _now(self) -> float:
        return time.monotonic() - self._started


@dataclass(frozen=True)
class _Outcome:
    """How one connection attempt or session ended."""

    message: str
    fatal: bool
    code: int | None
    was_connected: bool


def _parse_json(raw: bytes | str) -> Any:
    """orjson: 3× faster than `json` on audio deltas (it reads integers beyond 64 bits as floats); `json`
    for what orjson refuses (NaN) and to word the error of a frame that is not JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def _transient(exc: BaseException) -> bool:
    """Connect errors worth retrying automatically during a reconnect (not auth, TLS, 4xx, DNS)."""
    from websockets.exceptions import InvalidStatus

    if isinstance(exc, InvalidStatus):
        return exc.response.status_code >= 500 or exc.response.status_code == 429
    return isinstance(exc, (ConnectionRefusedError, ConnectionResetError, asyncio.TimeoutError, TimeoutError))
