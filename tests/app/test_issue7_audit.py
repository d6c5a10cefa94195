"""Issue 7 checked as a demanding user would: bad recordings, odd events and keys, through the real app."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from rt_tui.core.recording import survey_recording
from rt_tui.replay import run


def good_line(t: float = 0.1) -> str:
    payload = {"type": "error", "error": {"message": "boom", "type": "server_error"}}
    return json.dumps({"direction": "server", "t": t, "type": "error", "payload": payload})


def test_deeply_nested_lines_are_reported_and_skipped_not_a_crash(tmp_path: Path, capsys) -> None:
    path = tmp_path / "deep.jsonl"
    nested_payload = '{"direction":"server","t":0,"type":"x","payload":{"a":' + "[" * 100_000 + "}}"
    path.write_text("\n".join([good_line(), "[" * 200_000, nested_payload, good_line(0.2)]) + "\n")
    survey = survey_recording(path)
    assert survey.count == 2
    assert [(p.line, p.message) for p in survey.problems] == [(2, "not valid JSON (nested too deeply)"),
                                                              (3, "not valid JSON (nested too deeply)")]


def test_cli_refuses_a_directory_and_an_empty_file_with_a_message(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    assert run(argparse.Namespace(file=str(folder), speed=1.0)) == 2
    assert "cannot read" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    assert run(argparse.Namespace(file=str(empty), speed=1.0)) == 1
    assert "holds no readable events" in capsys.readouterr().err


def server_line(t: float, type_: str, **payload) -> str:
    return json.dumps({"direction": "server", "t": t, "type": type_, "payload": {"type": type_, **payload}})


# Well-formed lines whose fields have the wrong JSON types: a hand-edited or foreign recording can hold anything.
ODD_BUT_PARSEABLE = [
    server_line(0.1, "conversation.item.input_audio_transcription.completed", item_id="u1", transcript=5),
    server_line(0.2, "response.function_call_arguments.delta", item_id="f1", call_id=[1], delta="{"),
    server_line(0.3, "response.function_call_arguments.done", item_id="f2", call_id=5, name=7, arguments=7),
    server_line(0.4, "conversation.item.added", item={"id": "o1", "type": "function_call_output", "call_id": 5,
                                                      "output": {"x": 1}}),
    server_line(0.5, "error", error={"message": 5}),
    server_line(0.6, "conversation.item.added", item={"id": "m1", "type": "message", "role": 7,
                                                      "content": [{"type": "input_text", "text": "hi"}]}),
    server_line(0.7, "response.done", response={"id": "r9", "status": "failed",
                                                "status_details": {"error": {"message": 5}}}),
    server_line(0.8, "conversation.item.input_audio_transcription.failed", item_id="u2", error={"message": [1]}),
]


async def test_replay_of_fields_with_wrong_types_never_takes_the_app_down(tmp_path: Path) -> None:
    from rt_tui.core.recording import read_recording
    from rt_tui.replay import build_replay_app, start_replay
    from rt_tui.ui.panes.inspector import InspectorPane

    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join([*ODD_BUT_PARSEABLE, good_line(0.9)]) + "\n")
    contents = read_recording(path)
    app, source = build_replay_app(path, contents, float("inf"))
    async with app.run_test(size=(160, 40)) as pilot:
        await start_replay(app, source, path, contents.problems).wait()
        await pilot.pause(0.2)
        pane = app.query_one(InspectorPane)
        pane.flush()
        assert pane.event_log.total == len(ODD_BUT_PARSEABLE) + 1
        texts = [turn.text for turn in app.conversation.turns]
        assert all(isinstance(text, str) for text in texts) and "boom" in texts and "hi" in texts
        assert all(isinstance(t.call_id, (str, type(None))) and isinstance(t.output, (str, type(None)))
                   for t in app.conversation.turns)
    assert app.return_code in (None, 0)


def test_inspector_size_is_read_from_the_config_file_and_checked(tmp_path: Path) -> None:
    from rt_tui.config import ConfigError, load_settings

    config = tmp_path / "config.toml"
    env = {"RT_TUI_CONFIG": str(config)}
    config.write_text("")
    assert load_settings(env=env).inspector_events == 50_000
    config.write_text("inspector_events = 2000\n")
    assert load_settings(env=env).inspector_events == 2000
    for bad in ("10", "true", '"5000"', "2000000"):
        config.write_text(f"inspector_events = {bad}\n")
        with pytest.raises(ConfigError, match="inspector_events"):
            load_settings(env=env)
    config.write_text("[profiles.small]\ninspector_events = 2000\n")
    with pytest.raises(ConfigError, match="top level"):
        load_settings(argparse.Namespace(profile="small"), env=env)


async def test_configured_inspector_size_bounds_the_ring_in_the_app(tmp_path: Path) -> None:
    from rt_tui.config import Settings, Target
    from rt_tui.core.events import Event
    from rt_tui.ui.app import make_app
    from rt_tui.ui.panes.inspector import InspectorPane

    settings = Settings(target=Target("local", "", "gpt-realtime"), inspector_events=1000)
    app = make_app(settings, connect=False, cursor_blink=False)
    async with app.run_test(size=(200, 50)) as pilot:
        for i in range(1500):
            app.ingest(Event("server", "rate_limits.updated", {"type": "rate_limits.updated"}, i / 1000))
        pane = app.query_one(InspectorPane)
        pane.flush()
        await pilot.pause()
        status = str(app.query_one("#inspector-status").render())
        assert "1,500 events" in status and "500 oldest dropped (keeping 1,000)" in status
        assert pane.event_log.total == 1500 and len(pane.view.rows) == 1000


async def test_recording_starts_and_stops_from_the_command_palette(tmp_path: Path, monkeypatch) -> None:
    from rt_tui.config import Settings, Target
    from rt_tui.core.events import Event
    from rt_tui.core.recording import read_recording
    from rt_tui.ui.app import make_app
    from rt_tui.ui.panes.inspector import InspectorPane

    monkeypatch.chdir(tmp_path)  # the recording goes to the working directory when no export directory is set
    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False)
    async with app.run_test(size=(200, 50)) as pilot:
        pane = app.query_one(InspectorPane)

        async def run_command(title: str) -> None:
            await pilot.press("ctrl+p")
            await pilot.pause(0.2)
            await pilot.press(*title)
            await pilot.pause(0.4)
            await pilot.press("enter")
            await pilot.pause(0.2)

        await run_command("Record session")
        assert pane.recorder is not None
        path = pane.recorder.path
        app.ingest(Event("server", "rate_limits.updated", {"type": "rate_limits.updated"}, 0.5))
        await run_command("Stop recording")
        assert pane.recorder is None
    assert [e.type for e in read_recording(path).events] == ["rate_limits.updated"]
    assert path.parent == tmp_path


SHAPELESS_KEY = "audit7-key-4c1f9e2ab0"  # no key shape: only the configured-secret redaction can hide it


async def test_configured_key_never_in_recording_exports_or_inspector_of_a_live_session(tmp_path: Path,
                                                                                        monkeypatch) -> None:
    """The real app on a keyed Azure route of the emulator, recording from the start; the user puts the key in
    the instructions and in a message. Nothing the user can take away shows it: every inspector row, detail and
    copy, the recording, the event export, the transcript file and the view-code texts."""
    from textual.widgets import Input

    from app_helpers import wait_for
    from rt_tui.config import load_settings
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator
    from rt_tui.ui.app import make_app
    from rt_tui.ui.panes.inspector import InspectorPane, detail_renderable
    from rt_tui.ui.panes.inspector_rows import EventRows

    monkeypatch.chdir(tmp_path)
    recording = tmp_path / "keyed.jsonl"
    (tmp_path / "config.toml").write_text(
        f'[session]\noutput_modalities = "text"\ninstructions = "never say {SHAPELESS_KEY}"\n')
    async with Emulator(EmulatorOptions(api_key=SHAPELESS_KEY, first_delta_ms=5, text_delta_ms=5,
                                        ping_interval_s=None)) as emu:
        env = {"AZURE_OPENAI_ENDPOINT": emu.url.replace("ws://", "http://"), "AZURE_OPENAI_API_KEY": SHAPELESS_KEY,
               "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-realtime", "RT_TUI_CONFIG": str(tmp_path / "config.toml")}
        settings = load_settings(argparse.Namespace(record=str(recording)), env=env)
        app = make_app(settings, cursor_blink=False, audio=False)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for(pilot, lambda: app.status_bar.session_started is not None, what="session.created")
            app.query_one("#message-input", Input).value = f"my key is {SHAPELESS_KEY}"
            await app.query_one("#message-input", Input).action_submit()
            await wait_for(pilot, lambda: any(t.role == "assistant" and t.status == "completed"
                                              for t in app.conversation.turns), timeout=20, what="a reply")
            pane = app.query_one(InspectorPane)
            pane.flush()
            await pilot.pause()
            taken: dict[str, str] = {}
            rows = app.query_one(EventRows)
            for index in range(rows.line_count):
                rows.move_cursor(index)
                row, record = rows.selected()
                taken[f"detail {index}"] = "".join(
                    s.text for s in app.console.render(detail_renderable(row, record), app.console.options))
                pane.action_copy_json()
                taken[f"copy {index}"] = app.clipboard
            left, right = pane.region.x, pane.region.right
            taken["inspector on screen"] = "\n".join(strip.text[left:right]
                                                     for strip in app.screen._compositor.render_strips())
            await pilot.press("ctrl+g")  # export events
            await pilot.pause(0.2)
            taken["events export"] = pane.exported_path.read_text()
            await pilot.press("ctrl+t")  # save transcript
            await pilot.pause(0.2)
            taken["transcript"] = next(tmp_path.glob("rt-tui-transcript-*.md")).read_text()
            taken.update(app.code_texts())  # view code: session.update JSON and the Python snippet
    taken["recording"] = recording.read_text()
    assert "my key is" in taken["recording"] and "my key is" in taken["transcript"]
    assert "never say" in taken["json"] and "never say" in taken["events export"]
    assert any("my key is" in text for name, text in taken.items() if name.startswith("detail"))
    assert "session.updated" in taken["inspector on screen"]
    assert [name for name, text in taken.items() if SHAPELESS_KEY in text] == []


async def test_copy_message_hides_the_configured_key_like_the_transcript_copy() -> None:
    from rt_tui.config import Settings, Target
    from rt_tui.core.events import Event
    from rt_tui.ui.app import make_app

    settings = Settings(target=Target("local", "", "gpt-realtime", api_key=SHAPELESS_KEY))
    app = make_app(settings, connect=False, cursor_blink=False)
    async with app.run_test(size=(200, 50)) as pilot:
        item = {"id": "item_1", "type": "message", "role": "user", "status": "completed",
                "content": [{"type": "input_text", "text": f"my key is {SHAPELESS_KEY}"}]}
        app.ingest(Event("server", "conversation.item.added", {"type": "conversation.item.added", "item": item}, 0.1))
        app.flush_render()
        app.conversation_pane.focus()
        await pilot.pause()
        await pilot.press("c")
        assert app.clipboard == "my key is ‹redacted›"
        await pilot.press("ctrl+y")
        assert "my key is ‹redacted›" in app.clipboard


async def test_replay_moves_the_mic_and_speaker_meters_from_the_recorded_audio(tmp_path: Path) -> None:
    import base64

    import numpy as np
    from app_helpers import wait_for

    from rt_tui.core.events import Event
    from rt_tui.core.recording import Recorder, read_recording
    from rt_tui.replay import build_replay_app, start_replay

    def tone(amplitude: float) -> str:  # 100 ms at 24 kHz; RMS = amplitude / √2
        samples = amplitude * 32767 * np.sin(np.arange(2400) * 2 * np.pi * 440 / 24000)
        return base64.b64encode(samples.astype("<i2").tobytes()).decode()

    path = tmp_path / "voice.jsonl"
    with Recorder(path, audio=True) as recorder:
        for i in range(12):  # 1.2 s of mic and assistant audio, interleaved
            recorder.write(Event("client", "input_audio_buffer.append",
                                 {"type": "input_audio_buffer.append", "audio": tone(0.2)}, i / 10))
            recorder.write(Event("server", "response.output_audio.delta",
                                 {"type": "response.output_audio.delta", "item_id": "item_1", "response_id": "r",
                                  "output_index": 0, "content_index": 0, "delta": tone(0.8)}, i / 10 + 0.05))
    contents = read_recording(path)
    app, source = build_replay_app(path, contents, speed=1.0)
    async with app.run_test(size=(200, 50)) as pilot:
        worker = start_replay(app, source, path, contents.problems)
        bar = app.status_bar
        await wait_for(pilot, lambda: bar.mic_level is not None and bar.speaker_level is not None, what="levels")
        assert 0.1 < bar.mic_level < 0.2 and 0.5 < bar.speaker_level < 0.6  # the WAV tracks' tones
        assert "spk ██" in str(app.query_one("#status-levels").render())  # as the live meters draw it
        await worker.wait()
        await pilot.pause()
        assert (bar.mic_level, bar.speaker_level) == (0.0, 0.0)  # the replay is over: silence


async def test_a_replay_says_so_on_screen_not_local_emulator(tmp_path: Path) -> None:
    from rt_tui.core.recording import read_recording
    from rt_tui.replay import build_replay_app, start_replay

    path = tmp_path / "azure-session.jsonl"
    path.write_text(good_line() + "\n")
    contents = read_recording(path)
    app, source = build_replay_app(path, contents, float("inf"))
    async with app.run_test(size=(200, 50)) as pilot:
        await start_replay(app, source, path, contents.problems).wait()
        await pilot.pause()
        screen = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "REPLAY of azure-session.jsonl" in screen and "replay of azure-session.jsonl at ×inf" in screen
        assert "LOCAL EMULATOR" not in screen and "local emulator" not in screen


def test_unreadable_wav_tracks_replay_as_silence(tmp_path: Path) -> None:
    import base64

    from rt_tui.core.events import Event
    from rt_tui.core.recording import AudioRestorer, Recorder, read_recording, track_paths

    path = tmp_path / "r.jsonl"
    with Recorder(path, audio=True) as recorder:
        recorder.write(Event("client", "input_audio_buffer.append",
                             {"type": "input_audio_buffer.append", "audio": base64.b64encode(b"\x10\x00" * 240).decode()},
                             0.1))
    mic, assistant = track_paths(path)
    mic.unlink()
    mic.mkdir()  # a folder where the mic track should be
    assistant.write_bytes(b"RIFF garbage")
    contents = read_recording(path)
    restorer = AudioRestorer(path)
    (event, audio_bytes), = contents.pairs()
    assert base64.b64decode(restorer.restore(event, audio_bytes).payload["audio"]) == bytes(480)


@pytest.mark.parametrize("flags, with_wav", [([], True), (["--no-record-audio"], False)])
async def test_record_flag_writes_wav_tracks_unless_told_not_to(tmp_path: Path, monkeypatch, flags, with_wav) -> None:
    import base64

    from rt_tui.cli import build_parser
    from rt_tui.config import load_settings
    from rt_tui.core.events import Event
    from rt_tui.core.recording import track_paths
    from rt_tui.ui.app import make_app
    from rt_tui.ui.panes.inspector import InspectorPane

    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").touch()
    path = tmp_path / "flagged.jsonl"
    args = build_parser().parse_args(["--local", "--record", str(path), *flags])
    settings = load_settings(args, env={"RT_TUI_CONFIG": str(tmp_path / "config.toml")})
    app = make_app(settings, connect=False, cursor_blink=False)
    audio = base64.b64encode(b"\x10\x00" * 240).decode()
    async with app.run_test(size=(200, 50)) as pilot:
        pane = app.query_one(InspectorPane)
        app.ingest(Event("client", "input_audio_buffer.append", {"type": "input_audio_buffer.append", "audio": audio}, 0.1))
        pane.stop_recording()
        pane.action_toggle_recording()  # `r`: a second recording, the same choice
        second = pane.recorder.path
        app.ingest(Event("client", "input_audio_buffer.append", {"type": "input_audio_buffer.append", "audio": audio}, 0.2))
        await pilot.pause()
    for recording in (path, second):
        assert '"audio_bytes":480' in recording.read_text() and audio not in recording.read_text()
        assert all(track.exists() for track in track_paths(recording)) is with_wav
        assert any(track.exists() for track in track_paths(recording)) is with_wav


def test_a_wrong_file_lists_the_first_malformed_lines_and_counts_the_rest(tmp_path: Path, capsys) -> None:
    wav_by_mistake = tmp_path / "session.mic.wav"
    wav_by_mistake.write_bytes(b"RIFF\x00\x00WAVEfmt \n" * 500)
    assert run(argparse.Namespace(file=str(wav_by_mistake), speed=1.0)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{wav_by_mistake}:1: skipped: not valid JSON (Expecting value at column 1)"
    assert err[19].startswith(f"{wav_by_mistake}:20: skipped:")
    assert err[20:] == [f"{wav_by_mistake}: … and 480 more malformed lines skipped (last: line 500)",
                        f"rt-tui replay: {wav_by_mistake} holds no readable events"]


async def test_copy_as_code_of_an_audio_append_is_runnable_and_sends_audio_of_the_same_length() -> None:
    """The inspector keeps no audio, so the copied call sends silence of the recorded length (it used to send the
    "‹audio …›" marker itself as the base64 audio, which the service rejects)."""
    import asyncio
    import base64
    import textwrap

    from openai import AsyncOpenAI
    from textual.app import App, ComposeResult

    from rt_tui.core.events import Event
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator
    from rt_tui.ui.panes.inspector import InspectorPane
    from rt_tui.ui.panes.inspector_rows import EventRows

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield InspectorPane()

    pcm = bytes(range(256)) * 15  # 3,840 B = 80 ms
    payload = {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm).decode()}
    app = Host()
    async with app.run_test(size=(160, 40)) as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_event(Event("client", payload["type"], payload, 0.1))
        pane.flush()
        app.query_one(EventRows).focus()
        await pilot.press("k")
        code = app.clipboard
    assert "‹audio" not in code.replace("# the inspector", "")
    async with Emulator(EmulatorOptions(ping_interval_s=None)) as emu:
        http = emu.url.replace("ws://", "http://")
        client = AsyncOpenAI(api_key="x", base_url=f"{http}/v1", websocket_base_url=f"{emu.url}/v1")
        async with client.realtime.connect(model="gpt-realtime") as connection:
            namespace: dict = {}
            exec("async def send(connection):\n" + textwrap.indent(code, "    "), namespace)
            await namespace["send"](connection)
            for _ in range(200):
                if emu.received:
                    break
                await asyncio.sleep(0.01)
        await client.close()
    assert [event["type"] for event in emu.received] == ["input_audio_buffer.append"]
    assert base64.b64decode(emu.received[0]["audio"]) == bytes(len(pcm))


async def test_quick_restart_of_a_recording_and_repeated_exports_never_overwrite(tmp_path: Path) -> None:
    from textual.app import App, ComposeResult

    from rt_tui.core.events import Event
    from rt_tui.core.recording import read_recording
    from rt_tui.ui.panes.inspector import InspectorPane
    from rt_tui.ui.panes.inspector_rows import EventRows

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield InspectorPane(export_dir=tmp_path)

    def event(t: float) -> Event:
        return Event("server", "rate_limits.updated", {"type": "rate_limits.updated"}, t)

    app = Host()
    async with app.run_test(size=(160, 40)) as pilot:
        pane = app.query_one(InspectorPane)
        app.query_one(EventRows).focus()
        await pilot.press("r")
        pane.add_event(event(0.1))
        first = pane.recorder.path
        await pilot.press("r", "r")  # stop and start again at once: a new file, the first one kept
        pane.add_event(event(0.2))
        second = pane.recorder.path
        await pilot.press("r", "X")
        first_export = pane.exported_path
        await pilot.press("X")
        assert pane.exported_path != first_export and first_export.exists()
    assert first != second
    assert [e.t for e in read_recording(first).events] == [0.1] and [e.t for e in read_recording(second).events] == [0.2]


def test_an_overlong_line_is_skipped_without_being_held(tmp_path: Path, monkeypatch) -> None:
    import rt_tui.core.recording as recording

    monkeypatch.setattr(recording, "MAX_LINE_CHARS", 1000)
    path = tmp_path / "long.jsonl"
    path.write_text("\n".join([good_line(0.1), '{"a":"' + "x" * 5000 + '"}', good_line(0.2), "y" * 999]) + "\n")
    survey = survey_recording(path)
    assert survey.count == 2
    assert [(p.line, p.message) for p in survey.problems] == [(2, "longer than 1,000 characters"),
                                                              (4, "not valid JSON (Expecting value at column 1)")]
    assert [event.t for event, _ in survey.pairs()] == [0.1, 0.2]
