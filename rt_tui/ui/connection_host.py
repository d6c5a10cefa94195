"""Owns the embedded emulator (for provider "local") and the RealtimeWorker on behalf of the app.

Commands return False when there is no live worker, so the UI can say so instead of dropping input.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable

from rt_tui.config import Settings, Target, resolve_target_for_emulator
from rt_tui.core.events import Event
from rt_tui.core.session import SessionConfig


@dataclass
class AudioPreferences:
    """What the Audio settings ask of the engine; kept here so changes before the voice loop exists apply later."""

    input_device: str | None = None
    output_device: str | None = None
    mic_muted: bool = False
    volume: float = 1.0
    half_duplex: bool = False
    output_latency: str | float = "auto"  # speaker buffering (rt_tui.core.devices.parse_output_latency)


class ConnectionHost:
    def __init__(self, settings: Settings, on_event: Callable[[Event], None], on_status: Callable[[Any], None],
                 *, audio: bool = True, on_voice_message: Callable[[str], None] | None = None):
        self.settings = settings
        self._on_event = on_event
        self._on_status = on_status
        self.audio = audio
        self._on_voice_message = on_voice_message or (lambda message: None)
        self.target: Target | None = None
        self.worker: Any = None
        self.emulator: Any = None
        self.voice: Any = None  # core VoiceLoop, when audio is enabled and PortAudio loads
        self.voice_problem: str | None = None if audio else "audio disabled"
        self.prefs = AudioPreferences(settings.input_device, settings.output_device,
                                      output_latency=settings.output_latency)
        self.device_problem: str | None = None  # the latest device failure (open refused, stream lost), one line
        self._last_voice_message = ""
        self._stopped = False

    async def run(self, config: SessionConfig) -> None:
        """Start the embedded emulator if needed, then run the worker until `stop()`."""
        target = self.settings.target
        # The SDK (and the emulator) take 1-5 s to import; imported here they would freeze the screen that long.
        await asyncio.to_thread(_import_heavy_modules, self.settings.needs_embedded_emulator)
        if self.settings.needs_embedded_emulator:
            from rt_tui.emulator.options import EmulatorOptions
            from rt_tui.emulator.server import EmulatorThread

            self.emulator = EmulatorThread(EmulatorOptions(host="127.0.0.1", port=0))
            url = await asyncio.to_thread(self.emulator.start)
            target = resolve_target_for_emulator(url, dialect=target.dialect, model=target.model)
        if self._stopped:
            return
        from rt_tui.core.connection import RealtimeWorker

        self.target = target
        self.worker = RealtimeWorker(target, config, self._deliver, self._on_status)
        self._start_voice()
        await self.worker.run()

    def _start_voice(self) -> None:
        """Attach the voice loop (mic → appends, deltas → speaker, barge-in). Devices open on first use."""
        if not self.audio:
            return
        from rt_tui.core.devices import AudioUnavailable, load_sounddevice

        try:
            load_sounddevice()
        except AudioUnavailable as exc:
            self.voice_problem = exc.reason
            self._on_voice_message(f"Voice unavailable: {exc.reason}. Text chat works.")
            return
        from rt_tui.core.audio import AudioEngine
        from rt_tui.core.voice_loop import VoiceLoop

        engine = AudioEngine(input_device=self.prefs.input_device, output_device=self.prefs.output_device,
                             output_latency=self.prefs.output_latency)
        self.voice = VoiceLoop(self.worker, engine, on_message=self._voice_said)
        self._apply_prefs()

    def _voice_said(self, text: str) -> None:
        self._last_voice_message = text
        if self.voice is not None and self.voice.speaker_failed and self.device_problem is None:
            self.device_problem = _problem_line(text)
        self._on_voice_message(text)

    def _apply_prefs(self) -> None:
        if self.voice is None:
            return
        engine = self.voice.engine
        engine.mic_muted, engine.volume, engine.half_duplex = (self.prefs.mic_muted, self.prefs.volume,
                                                               self.prefs.half_duplex)

    def set_audio(self, **changes: Any) -> None:
        """Change mic_muted, volume (0..1) or half_duplex (next audio block) or output_latency (once the
        speaker is silent)."""
        for name, value in changes.items():
            setattr(self.prefs, name, value)
        self._apply_prefs()
        if "output_latency" in changes and self.voice is not None:
            self.voice.engine.set_output_latency(self.prefs.output_latency)

    def set_devices(self, input_device: str | None, output_device: str | None) -> str:
        """Switch devices: the streams close and the microphone reopens if it was listening.

        Returns "" or the one-line reason the new microphone could not open.
        """
        self.prefs.input_device, self.prefs.output_device = input_device, output_device
        self.device_problem = None
        if self.voice is None:
            return ""
        engine = self.voice.engine
        was_listening = self.voice.listening
        if was_listening:
            self.voice.stop_listening()
        engine.stop()
        engine.input_device, engine.output_device = input_device, output_device
        self.voice.retry_speaker()  # the new speaker gets its own chance at the next reply
        if was_listening and not self.voice.start_listening():
            self.device_problem = _problem_line(self._last_voice_message)
            return self._last_voice_message
        return ""

    def check_audio(self) -> str | None:
        """The current device problem (a lost stream is detected here), or None; cheap, call it with the meters."""
        if self.voice is None:
            return None
        lost = self.voice.engine.check()
        if lost is not None:
            self.device_problem = lost
            self.voice.stop_listening()
            # Closing clears the engine's problem: the next reply or F5 tries the device again.
            self.voice.engine.stop()
            self.voice.retry_speaker()
        return self.device_problem

    def _deliver(self, event: Event) -> None:
        if self.voice is not None:
            self.voice.handle_event(event)
        self._on_event(event)

    async def stop(self) -> None:
        """Close the connection and the embedded emulator; safe to call more than once."""
        self._stopped = True
        voice, self.voice = self.voice, None
        if voice is not None:
            voice.stop_listening()
            voice.engine.stop()
        worker, self.worker = self.worker, None
        if worker is not None:
            await worker.stop()
        emulator, self.emulator = self.emulator, None
        if emulator is not None:
            await asyncio.to_thread(emulator.stop)

    def reset(self, settings: Settings) -> None:
        """After `stop()`: the next `run()` connects to `settings`' target (a profile switch)."""
        self.settings = settings
        self.target = None
        self._stopped = False
        self.voice_problem = None if self.audio else "audio disabled"

    def send(self, event: dict[str, Any]) -> bool:
        """Any GA-shaped client event (function-call outputs, response.create)."""
        if self.worker is None:
            return False
        self.worker.send(event)
        return True

    def send_text(self, text: str) -> bool:
        if self.worker is None:
            return False
        self.worker.send_text(text)  # the worker queues conversation.item.create and response.create
        return True

    def update_session(self, config: SessionConfig) -> bool:
        if self.worker is None:
            return False
        self.worker.update_session(config)
        return True

    def cancel_response(self) -> bool:
        if self.worker is None:
            return False
        self.worker.cancel_response()
        return True

    def reconnect(self) -> bool:
        if self.worker is None:
            return False
        self.worker.reconnect()
        return True

    def delete_item(self, item_id: str) -> bool:
        if self.worker is None:
            return False
        self.worker.delete_item(item_id)
        return True

    @property
    def listening(self) -> bool:
        return bool(self.voice is not None and self.voice.listening)

    @property
    def push_to_talk(self) -> bool:
        return bool(self.voice is not None and self.voice.push_to_talk)

    def toggle_listening(self) -> tuple[str, str]:
        """Start/stop the microphone, or with turn detection off start/finish a push-to-talk recording.

        Returns (state, problem): state is "listening", "talking", "idle"; problem is "" or one line.
        """
        if self.worker is None:
            return "idle", "Not connected."
        if self.voice is None:
            return "idle", f"Voice unavailable: {self.voice_problem or 'not started'}. Type your message instead."
        if self.voice.push_to_talk:
            outcome = self.voice.toggle_talk()
            if outcome == "talking":
                self.device_problem = None
                return "talking", ""
            if outcome == "unavailable":
                self.device_problem = _problem_line(self._last_voice_message)
            return "idle", ""  # too short or unavailable: the voice loop already said why
        if self.voice.listening:
            self.voice.stop_listening()
            return "idle", ""
        if self.voice.start_listening():
            self.device_problem = None
            return "listening", ""
        self.device_problem = _problem_line(self._last_voice_message)
        return "idle", ""  # the voice loop already said why through on_message

    def levels(self) -> tuple[float | None, float | None]:
        """Mic and speaker RMS levels (None while that stream is closed)."""
        if self.voice is None:
            return None, None
        engine = self.voice.engine
        mic = engine.mic_level.rms if engine.microphone_open else None
        speaker = engine.speaker_level.rms if engine.speaker_open else None
        return mic, speaker


def _import_heavy_modules(emulator: bool) -> None:
    """Import the openai SDK (and the emulator) in a thread, so the UI keeps running meanwhile."""
    import importlib

    for name in ("openai", "openai.resources.realtime", "websockets.asyncio.client", "rt_tui.core.connection",
                 *(("rt_tui.emulator.server",) if emulator else ())):
        importlib.import_module(name)


def _problem_line(message: str) -> str:
    """"Microphone unavailable: no audio input device named 'x'" → "microphone: no audio input device named 'x'"
    (the status bar prefixes "voice unavailable: ")."""
    head, _, reason = message.partition(": ")
    return f"{head.split()[0].lower()}: {reason}" if reason and head else message
