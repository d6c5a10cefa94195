"""Helpers for the app tests (imported by module name: the tests directory has no packages)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from rt_tui.config import Settings, resolve_target_for_emulator


def settings_for(url: str, dialect: str = "ga") -> Settings:
    return Settings(target=resolve_target_for_emulator(url, dialect=dialect))  # type: ignore[arg-type]


async def wait_for(pilot: Any, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Poll `predicate` while letting the app run; fail with `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


def received(emu: Any, event_type: str) -> list[dict]:
    return [e for e in emu.received if e.get("type") == event_type]
