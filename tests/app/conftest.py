"""Fixtures for Pilot tests: a real emulator on loopback and apps pointed at it."""

from __future__ import annotations

from typing import Any, AsyncIterator

import pytest



@pytest.fixture
async def emulator() -> AsyncIterator[Any]:
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator

    emu = Emulator(EmulatorOptions(host="127.0.0.1", port=0, first_delta_ms=30, text_delta_ms=5,
                                   realtime_factor=50.0, ping_interval_s=None))
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
