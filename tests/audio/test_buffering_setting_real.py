"""Settings → Audio → Speaker buffering drives the app's AudioEngine (Pilot, embedded emulator, real devices)."""

from __future__ import annotations

import asyncio

import pytest

from rt_tui.config import Settings, Target
from rt_tui.ui.app import make_app

pytestmark = [pytest.mark.audio, pytest.mark.usefixtures("virtual_audio")]


async def _until(pilot, predicate, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await pilot.pause(0.05)


async def test_speaker_buffering_choice_reaches_the_engine_and_a_configured_value_is_offered():
    from textual.widgets import Select

    settings = Settings(target=Target("local", "", "gpt-realtime"), output_latency=0.075)
    app = make_app(settings, cursor_blink=False, audio=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await _until(pilot, lambda: app.host.voice is not None)
        engine = app.host.voice.engine
        select = app.query_one("#audio-buffering", Select)
        assert engine.output_latency == 0.075
        assert select.value == "75" and ("75 ms", "75") in [(str(label), value) for label, value in select._options]
        select.value = "auto"
        await _until(pilot, lambda: engine.output_latency == "auto")
        assert app.host.prefs.output_latency == "auto"
        engine.start(microphone=False)  # as the first reply would
        assert engine.output_latency_s < 0.06
        select.value = "120"
        await _until(pilot, lambda: engine.output_latency == 0.12)
        assert engine.speaker_open and engine.output_latency_s >= 0.11  # the idle speaker reopened at once
