"""Fixtures for emulator tests (helpers live in emulator_helpers.py)."""

from __future__ import annotations

from typing import AsyncIterator

import pytest
from emulator_helpers import fast_options

from rt_tui.emulator.server import Emulator


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(fast_options()) as emu:
        yield emu
