"""A whole voice stack on loopback: emulator ⇄ RealtimeWorker (openai SDK) ⇄ VoiceLoop ⇄ AudioEngine."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rt_tui.config import resolve_target_for_emulator
from rt_tui.core.audio import AudioEngine
from rt_tui.core.connection import ConnectionStatus, RealtimeWorker
from rt_tui.core.events import Event
from rt_tui.core.session import SessionConfig
from rt_tui.core.voice_loop import VoiceLoop
from rt_tui.emulator.options import EmulatorOptions
from rt_tui.emulator.server import Emulator


@dataclass
class VoiceSession:
    emulator: Emulator
    worker: RealtimeWorker
    engine: AudioEngine
    loop: VoiceLoop
    events: list[Event] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)  # monotonic time each event was delivered
    messages: list[str] = field(default_factory=list)
    statuses: list[ConnectionStatus] = field(default_factory=list)

    def server(self, type_: str) -> list[Event]:
        return [e for e in self.events if e.direction == "server" and e.type == type_]

    def client(self, type_: str) -> list[Event]:
        return [e for e in self.events if e.direction == "client" and e.type == type_]

    def audio_sent(self, item_id: str) -> np.ndarray:
        """Every output_audio delta of `item_id` the emulator sent, decoded, in order."""
        chunks = [base64.b64decode(e.payload["delta"]) for e in self.server("response.output_audio.delta")
                  if e.payload.get("item_id") == item_id]
        return np.frombuffer(b"".join(chunks), dtype="<i2")

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            await asyncio.sleep(0.01)
        seen = [e.type for e in self.events if "delta" not in e.type]
        raise AssertionError(f"timed out waiting for {what or predicate}; events: {seen[-30:]}; messages: {self.messages}")


@contextlib.asynccontextmanager
async def voice_session(config: SessionConfig | None = None, **engine_options: Any) -> AsyncIterator[VoiceSession]:
    async with Emulator(EmulatorOptions(ping_interval_s=None)) as emu:
        engine = AudioEngine(**engine_options)
        holder: dict[str, VoiceSession] = {}

        def on_event(event: Event) -> None:
            session = holder["session"]
            session.events.append(event)
            session.arrivals.append(time.monotonic())
            session.loop.handle_event(event)

        worker = RealtimeWorker(resolve_target_for_emulator(emu.url), config or SessionConfig(), on_event,
                                lambda status: holder["session"].statuses.append(status))
        session = VoiceSession(emu, worker, engine, loop=None)  # type: ignore[arg-type]
        session.loop = VoiceLoop(worker, engine, on_message=session.messages.append)
        holder["session"] = session
        task = asyncio.create_task(worker.run())
        try:
            await session.wait_for(lambda: session.server("session.updated"), what="session.updated")
            yield session
        finally:
            engine.stop()
            await worker.stop()
            await asyncio.wait_for(task, 10)
