"""VoiceLoop: the glue between a RealtimeWorker and an AudioEngine (no Textual).

* Assistant audio (`response.output_audio.delta`) is played; the speaker opens on the first delta.
* Barge-in: `input_audio_buffer.speech_started` while assistant audio is playing (and the session's
  `interrupt_response` is on) silences the speaker at once and sends `conversation.item.truncate`
  with the milliseconds actually written to the device. The server cancels the response itself.
* Listening with turn detection on: every 20 ms microphone chunk becomes `input_audio_buffer.append`.
* Push-to-talk (turn detection "none"): `toggle_talk()` starts a recording (appends flow) and stops
  it (commit + response.create). Recordings under 100 ms are not sent: the buffer is cleared and a
  message explains why, instead of the server's "buffer too small" error. Starting to talk while
  the assistant speaks interrupts it (flush + truncate), and a response still in progress is cancelled.
Audio problems arrive as one-line messages through `on_message`; text chat is never affected.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from typing import Any, Protocol

from rt_tui.core.audio import BLOCK_MS, AudioEngine
from rt_tui.core.devices import AudioUnavailable
from rt_tui.core.events import Event

MIN_PUSH_TO_TALK_MS = 100  # the service refuses to commit less


class WorkerCommands(Protocol):
    """The part of RealtimeWorker the voice loop uses (its commands are thread-safe)."""

    config: Any

    def append_audio(self, pcm16: bytes) -> None: ...
    def commit_audio(self) -> None: ...
    def clear_audio(self) -> None: ...
    def create_response(self, **overrides: Any) -> None: ...
    def cancel_response(self) -> None: ...
    def truncate(self, item_id: str, audio_end_ms: int) -> None: ...


class VoiceLoop:
    def __init__(
        self,
        worker: WorkerCommands,
        engine: AudioEngine,
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        self.worker = worker
        self.engine = engine
        self.on_message = on_message or (lambda message: None)
        engine.on_mic_chunk = self._mic_chunk
        if engine.on_problem is None:
            engine.on_problem = lambda problem: self.on_message(f"Audio stopped: {problem}")
        self.listening = False
        self.talking = False
        self.recorded_ms = 0
        self.active_response_id: str | None = None
        self.last_truncate: tuple[str, int] | None = None
        self._speaker_failed = False
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- settings

    @property
    def turn_detection(self) -> str:
        turn = getattr(self.worker.config, "turn_detection", None)
        return getattr(turn, "type", "server_vad") if turn is not None else "none"

    @property
    def push_to_talk(self) -> bool:
        return self.turn_detection == "none"

    @property
    def speaker_failed(self) -> bool:
        """The speaker could not open; assistant audio is skipped until `retry_speaker()`."""
        return self._speaker_failed

    def retry_speaker(self) -> None:
        self._speaker_failed = False

    def _interrupts(self) -> bool:
        turn = getattr(self.worker.config, "turn_detection", None)
        return bool(getattr(turn, "interrupt_response", True))

    # ---------------------------------------------------------------- microphone

    def start_listening(self) -> bool:
        """Open the microphone (and speaker). False, with a message, when audio is unavailable."""
        if self.engine.problem is not None:
            self.engine.stop()  # a device went away earlier: reopen from scratch
        try:
            self.engine.start(microphone=True, speaker=True)
        except AudioUnavailable as exc:
            self.on_message(f"Microphone unavailable: {exc.reason}")
            return False
        self.listening = True
        return True

    def stop_listening(self) -> None:
        self.listening = False
        if self.talking:
            self._finish_talking()
        self.engine.stop_microphone()

    def toggle_talk(self) -> str:
        """Push-to-talk toggle: "talking" after starting, "sent" or "too_short" after stopping,
        "unavailable" when the microphone cannot open."""
        if not self.talking:
            if not self.listening and not self.start_listening():
                return "unavailable"
            self._interrupt_playback()
            if self.active_response_id is not None:
                self.worker.cancel_response()  # talking over the assistant: its answer is no longer wanted
            self.worker.clear_audio()
            with self._lock:
                self.recorded_ms = 0
                self.talking = True
            return "talking"
        return self._finish_talking()

    def _finish_talking(self) -> str:
        with self._lock:
            self.talking = False
            recorded = self.recorded_ms
        if recorded < MIN_PUSH_TO_TALK_MS:
            self.worker.clear_audio()
            self.on_message(f"Recording too short ({recorded} ms): talk for at least {MIN_PUSH_TO_TALK_MS} ms.")
            return "too_short"
        self.worker.commit_audio()
        self.worker.create_response()
        return "sent"

    def _mic_chunk(self, pcm16: bytes) -> None:
        """Runs on the audio thread; the worker's commands are thread-safe."""
        if not self.listening:
            return
        if self.push_to_talk:
            with self._lock:
                if not self.talking:
                    return
                self.recorded_ms += BLOCK_MS
        self.worker.append_audio(pcm16)

    # ---------------------------------------------------------------- server events

    def handle_event(self, event: Event) -> None:
        if event.direction != "server":
            return
        payload = event.payload
        if event.type == "response.output_audio.delta":
            self._play(payload)
        elif event.type == "input_audio_buffer.speech_started":
            if self._interrupts():
                self._interrupt_playback()  # the server cancels the response itself
        elif event.type == "response.created":
            self.active_response_id = (payload.get("response") or {}).get("id")
        elif event.type == "response.done":
            self.active_response_id = None
        elif event.type == "session.created":
            self.engine.flush()  # a new session: nothing of the old one may keep playing
            self.active_response_id = None

    def _play(self, payload: dict[str, Any]) -> None:
        if self.engine.problem is not None:
            return  # the device is gone (already reported); don't queue audio nobody will hear
        if not self.engine.speaker_open:
            if self._speaker_failed:
                return
            try:
                self.engine.start(microphone=False, speaker=True)
            except AudioUnavailable as exc:
                self._speaker_failed = True
                self.on_message(f"Speaker unavailable: {exc.reason}")
                return
        try:
            audio = base64.b64decode(payload.get("delta", ""), validate=True)
        except ValueError:
            return
        self.engine.play(str(payload.get("item_id", "")), audio)

    def _interrupt_playback(self) -> None:
        """Silence the speaker now and tell the server how much of the item was heard."""
        if not self.engine.is_playing:
            return
        interrupted = self.engine.flush()
        if interrupted is None:
            return
        item_id, played_ms = interrupted
        self.last_truncate = interrupted
        self.worker.truncate(item_id, played_ms)
