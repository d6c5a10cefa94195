"""Fixtures for emulator tests (helpers live in emulator_helpers.py)."""

from __future__ import annotations

from typing import AsyncIterator

import pytest
from emulator_helpers import fast_options

from rt_tui.emulator.server import Emulator
from rt_tui.emulator.validate import assert_valid


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(fast_options()) as emu:
        yield emu
    # every event the emulator sent in the test validates strictly in its connection's dialect
    assert_valid(emu.sent_by_dialect["ga"], "ga")
    assert_valid(emu.sent_by_dialect["beta"], "beta")
