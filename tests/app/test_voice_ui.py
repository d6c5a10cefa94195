"""Voice in the playground: the listen button drives the real voice loop; no audio → one clear line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from app_helpers import received, settings_for, wait_for

from rt_tui.ui.app import make_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audio"))


async def _connected(pilot, app) -> None:
    await wait_for(pilot, lambda: app.query_one("StatusBar").session_started is not None, what="session.created")


async def test_without_sounddevice_one_line_says_why_and_text_still_works(emulator, monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # `import sounddevice` now fails, as without PortAudio
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _connected(pilot, app)
        levels = app.query_one("#status-levels")
        await wait_for(pilot, lambda: "voice unavailable" in str(levels.render()), what="the voice line")
        assert "sounddevice" in str(levels.render())
        await pilot.press("f5")
        assert app.query_one("#listen-button").label.plain == "Start listening"
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: any(v.turn.role == "assistant" and v.turn.status == "completed"
                                          for v in app.conversation_pane.blocks()), what="a text reply")


@pytest.mark.audio
@pytest.mark.usefixtures("virtual_audio")
async def test_listen_button_sends_the_microphone_and_the_spoken_turn_appears(emulator, tmp_path):
    from realaudio import play_mic_background, say

    speech = tmp_path / "q.wav"
    say("What can you do", speech)
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _connected(pilot, app)
        await pilot.click("#listen-button")
        await wait_for(pilot, lambda: app.host.listening, what="listening")
        assert app.query_one("#listen-button").label.plain == "Stop listening"
        player = play_mic_background(speech)
        try:
            await wait_for(pilot, lambda: received(emulator, "input_audio_buffer.append"), what="mic appends")
            await wait_for(pilot, lambda: (app.query_one("StatusBar").mic_level or 0) > 0.001, what="a mic level")
            await wait_for(pilot, lambda: any(v.turn.role == "user" and v.turn.has_audio for v in app.conversation_pane.blocks()),
                           timeout=40, what="a spoken user turn")
            await wait_for(pilot, lambda: any(v.turn.role == "assistant" and v.turn.text
                                              for v in app.conversation_pane.blocks()), timeout=40, what="a reply")
        finally:
            player.wait(timeout=30)
        await pilot.press("f5")
        assert not app.host.listening
        assert app.query_one("#listen-button").label.plain == "Start listening"
