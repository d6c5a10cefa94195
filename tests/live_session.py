"""A short real voice session for recording/replay tests: emulator on loopback, RealtimeWorker, real SDK."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import struct
import time
from typing import Callable

from rt_tui.config import resolve_target_for_emulator
from rt_tui.core.connection import RealtimeWorker
from rt_tui.core.events import Event
from rt_tui.core.session import SessionConfig, TurnDetection
from rt_tui.emulator.options import EmulatorOptions
from rt_tui.emulator.server import Emulator

FAST = dict(first_delta_ms=5.0, text_delta_ms=1.0, realtime_factor=50.0, ping_interval_s=None)


def tone(ms: int, hz: float = 220.0) -> bytes:
    n = 24 * ms
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / 24_000))) for i in range(n))


async def _wait(events: list[Event], predicate: Callable[[list[Event]], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not predicate(events):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; got {[e.type for e in events][-15:]}")
        await asyncio.sleep(0.02)


def _count(type_: str) -> Callable[[list[Event]], int]:
    return lambda events: sum(1 for e in events if e.direction == "server" and e.type == type_)


async def record_live_session(api_key: str | None = None, user_text: str = "hello there") -> list[Event]:
    """Mic audio turn + typed turn (audio replies) + one server error; returns every Event the worker delivered."""
    events: list[Event] = []
    async with Emulator(EmulatorOptions(**FAST, api_key=api_key)) as emu:
        target = resolve_target_for_emulator(emu.url)
        if api_key:
            target = dataclasses.replace(target, api_key=api_key, auth="bearer")
        config = SessionConfig(turn_detection=TurnDetection(type="none"))
        worker = RealtimeWorker(target, config, events.append, lambda status: None)
        task = asyncio.create_task(worker.run())
        try:
            await _wait(events, lambda ev: _count("session.updated")(ev) >= 1, "session.updated")
            for start in range(0, 600, 100):
                worker.append_audio(tone(100, 220 + start))
            worker.commit_audio()
            worker.create_response()
            await _wait(events, lambda ev: _count("response.done")(ev) >= 1, "first response.done")
            worker.send_text(user_text)
            await _wait(events, lambda ev: _count("response.done")(ev) >= 2, "second response.done")
            worker.send({"type": "conversation.item.retrieve", "item_id": "item_does_not_exist"})
            await _wait(events, lambda ev: _count("error")(ev) >= 1, "error")
        finally:
            await worker.stop()
            await task
    return events
