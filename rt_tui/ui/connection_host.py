"""Owns the embedded emulator (for provider "local") and the RealtimeWorker on behalf of the app.

Commands return False when there is no live worker, so the UI can say so instead of dropping input.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from rt_tui.config import Settings, Target, resolve_target_for_emulator
from rt_tui.core.events import Event
from rt_tui.core.session import SessionConfig


class ConnectionHost:
    def __init__(self, settings: Settings, on_event: Callable[[Event], None], on_status: Callable[[Any], None]):
        self.settings = settings
        self._on_event = on_event
        self._on_status = on_status
        self.target: Target | None = None
        self.worker: Any = None
        self.emulator: Any = None
        self.listening = False
        self._stopped = False

    async def run(self, config: SessionConfig) -> None:
        """Start the embedded emulator if needed, then run the worker until `stop()`."""
        target = self.settings.target
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
        self.worker = RealtimeWorker(target, config, self._on_event, self._on_status)
        await self.worker.run()

    async def stop(self) -> None:
        """Close the connection and the embedded emulator; safe to call more than once."""
        self._stopped = True
        worker, self.worker = self.worker, None
        if worker is not None:
            await worker.stop()
        emulator, self.emulator = self.emulator, None
        if emulator is not None:
            await asyncio.to_thread(emulator.stop)

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

    def toggle_listening(self) -> tuple[bool, str]:
        """Start or stop the microphone through the worker's audio engine; (listening, problem or "")."""
        if self.worker is None:
            return False, "Not connected."
        start = getattr(self.worker, "start_listening", None)
        stop = getattr(self.worker, "stop_listening", None)
        if start is None or stop is None:
            return False, "Voice input is not available in this build: type your message instead."
        try:
            if self.listening:
                stop()
            else:
                start()
        except Exception as exc:  # audio device problems must not take the app down
            self.listening = False
            return False, f"Voice unavailable: {exc}"
        self.listening = not self.listening
        return self.listening, ""
