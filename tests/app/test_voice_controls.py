"""Voice controls in the playground: the Audio settings section, mute and push-to-talk keys, missing devices.

Device tests run against the virtual PulseAudio (ALSA devices "pulse" and "default" through PortAudio).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from app_helpers import received, settings_for, wait_for

from rt_tui.config import Settings
from rt_tui.ui.app import make_app
from rt_tui.ui.panes.audio_settings import ECHO_HINT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audio"))

PUSH_TO_TALK = {"turn_detection": {"type": "none"}}


def _settings(url: str, **changes) -> Settings:
    base = settings_for(url)
    return Settings(target=base.target, **changes)


async def _ready(pilot, app) -> None:
    await wait_for(pilot, lambda: app.sessions_reflected >= 2, what="the first session.update answered")


def _notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def _replied(app) -> bool:
    return any(v.turn.role == "assistant" and v.turn.status == "completed" for v in app.conversation_pane.blocks())


async def test_space_types_normally_unless_push_to_talk_and_the_keys_are_in_the_palette(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("space", *"a", "space", "b")  # turn detection is on: Space is just a space
        assert app.query_one("#message-input").value == " a b"
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Mute mic", "Push-to-talk"} <= titles
        await pilot.press("f8")
        assert app.host.prefs.mic_muted
        await pilot.press("f8")
        assert not app.host.prefs.mic_muted


@pytest.mark.audio
@pytest.mark.usefixtures("virtual_audio")
async def test_audio_section_lists_devices_and_drives_the_engine(emulator):
    from textual.widgets import Checkbox, Select

    app = make_app(_settings(emulator.url, input_device="pulse"), cursor_blink=False, audio=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await _ready(pilot, app)
        pane = app.query_one("#audio-settings")
        inputs = app.query_one("#audio-input", Select)
        await wait_for(pilot, lambda: pane.devices, what="the device list")
        labels = [str(label) for label, _ in inputs._options]
        assert "0: pulse" in labels and "1: default" in labels
        assert inputs.value == "0"  # the configured name, resolved to its index
        hint = app.query_one("#audio-hint")
        assert hint.display and ECHO_HINT in str(hint.render())  # "pulse"/"default" are not headsets
        updates_before = len(received(emulator, "session.update"))

        app.query_one("#audio-output", Select).value = "1"
        app.query_one("#audio-volume", Select).value = 50
        app.query_one("#audio-half-duplex", Checkbox).value = True
        await pilot.pause(0.1)
        engine = app.host.voice.engine
        assert (engine.output_device, engine.volume, engine.half_duplex) == ("1", 0.5, True)
        assert not hint.display  # half-duplex answers the echo hint
        await pilot.press("f8")
        assert engine.mic_muted and app.query_one("#audio-mute", Checkbox).value
        app.query_one("#audio-mute", Checkbox).value = False
        await pilot.pause(0.1)
        assert not engine.mic_muted

        await pilot.press("f5")
        await wait_for(pilot, lambda: engine.microphone_open, what="the microphone")
        assert engine.input_name == "pulse"
        app.query_one("#audio-input", Select).value = "1"  # switching while listening reopens the new device
        await wait_for(pilot, lambda: engine.microphone_open and engine.input_name == "default", what="reopened")
        assert app.host.listening
        await pilot.pause(0.2)
        assert len(received(emulator, "session.update")) == updates_before  # audio is not a session setting


@pytest.mark.audio
@pytest.mark.usefixtures("virtual_audio")
async def test_push_to_talk_with_space_round_trip_and_too_short_is_not_sent(emulator, tmp_path):
    from realaudio import play_mic, say

    speech = tmp_path / "q.wav"
    say("Tell me a story", speech)
    settings = Settings(target=settings_for(emulator.url).target, session=PUSH_TO_TALK)
    app = make_app(settings, cursor_blink=False, audio=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        button = app.query_one("#listen-button")
        assert button.label.plain == "Talk (push-to-talk)"

        app.action_push_to_talk()  # what Space does, twice within one step of the loop: far under 100 ms
        assert app.host.voice.talking and button.label.plain == "Stop & send"
        app.action_push_to_talk()
        await wait_for(pilot, lambda: any("too short" in note for note in _notes(app)),
                       what=f"the too-short note ({_notes(app)}, {[e['type'] for e in emulator.received]})")
        assert received(emulator, "input_audio_buffer.commit") == []
        assert button.label.plain == "Talk (push-to-talk)"

        await pilot.press("space")
        assert app.host.voice.talking and button.label.plain == "Stop & send"
        await wait_for(pilot, lambda: received(emulator, "input_audio_buffer.append"), what="appends")
        play_mic(speech)
        await pilot.press("space")
        await wait_for(pilot, lambda: received(emulator, "input_audio_buffer.commit"), what="the commit")
        await wait_for(pilot, lambda: received(emulator, "response.create"), what="response.create")
        await wait_for(pilot, lambda: _replied(app), timeout=40, what="the spoken turn's reply")
        assert app.query_one("#message-input").value == ""  # the Spaces were keys, not text


@pytest.mark.audio
@pytest.mark.usefixtures("virtual_audio")
async def test_a_missing_device_is_one_line_and_text_chat_keeps_working(emulator):
    from textual.widgets import Select

    app = make_app(_settings(emulator.url, input_device="no-such-mic"), cursor_blink=False, audio=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await _ready(pilot, app)
        inputs = app.query_one("#audio-input", Select)
        await wait_for(pilot, lambda: app.query_one("#audio-settings").devices, what="the device list")
        assert inputs.value == "no-such-mic"
        assert "no-such-mic (not found)" in [str(label) for label, _ in inputs._options]
        await pilot.press("f5")
        levels = app.query_one("#status-levels")
        await wait_for(pilot, lambda: "no audio input device named 'no-such-mic'" in str(levels.render()),
                       what="the status line")
        assert str(levels.render()).startswith("voice unavailable: microphone:")
        assert any("no-such-mic" in note for note in _notes(app))
        assert not app.host.listening and app.query_one("#listen-button").label.plain == "Start listening"
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: _replied(app), timeout=30, what="a text reply")
        inputs.value = "0"  # choosing a real device clears the line
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.host.listening, what="listening on pulse")
        await wait_for(pilot, lambda: str(levels.render()).startswith("mic"), what="the meters back")


async def test_without_portaudio_the_audio_section_says_why(emulator, monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # `import sounddevice` fails, as without PortAudio
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=True)
    async with app.run_test(size=(160, 48)) as pilot:
        note = app.query_one("#audio-devices-note")
        await wait_for(pilot, lambda: note.display, what="the devices note")
        assert str(note.render()).startswith("devices unavailable: the sounddevice package")
        assert [str(label) for label, _ in app.query_one("#audio-input")._options] == ["System default"]
        await pilot.press("f8")  # mute still records the preference for when audio works
        assert app.host.prefs.mic_muted
