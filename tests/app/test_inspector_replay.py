"""Replay of a real recorded session into the full app, corrupted recordings, and keys kept out of the inspector."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from live_session import record_live_session

from rt_tui.core.conversation import Conversation, reduce
from rt_tui.core.recording import Recorder, read_recording
from rt_tui.replay import ReplaySource, build_replay_app, run, start_replay
from rt_tui.ui.panes.inspector import InspectorPane, detail_renderable
from rt_tui.ui.panes.inspector_rows import EventRows


def reduce_all(events) -> Conversation:
    state = Conversation.empty()
    for event in events:
        state = reduce(state, event)
    return state


async def replay_into_app(path: Path, speed: float = float("inf")):
    contents = read_recording(path)
    app, source = build_replay_app(path, contents, speed)
    return app, source, contents


async def test_recorded_session_replays_into_the_same_transcript(tmp_path: Path) -> None:
    live = await record_live_session()
    path = tmp_path / "session.jsonl"
    with Recorder(path, audio=True) as rec:
        for event in live:
            rec.write(event)

    app, source, contents = await replay_into_app(path)
    async with app.run_test(size=(200, 50)) as pilot:
        worker = start_replay(app, source, path, contents.problems)
        await worker.wait()
        await pilot.pause(0.2)
        assert source.emitted == len(live)
        assert app.conversation == reduce_all(live)
        assert any(t.role == "assistant" and t.text for t in app.conversation.turns)
        pane = app.query_one(InspectorPane)
        pane.flush()
        assert pane.event_log.total == len(live)
        assert any(r.grouped and r.type == "response.output_audio.delta" for r in pane.view.rows)


def _paced(path: Path, speed: float) -> tuple[ReplaySource, list, list[float]]:
    """A replay of `path` on a fake clock: (source, events it emits, the sleeps it asks for)."""
    slept: list[float] = []
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    return ReplaySource(read_recording(path), speed=speed, clock=lambda: now[0], sleep=fake_sleep), [], slept


async def test_replay_speed_paces_events(tmp_path: Path) -> None:
    path = tmp_path / "paced.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"direction": "server", "t": t, "type": "rate_limits.updated", "payload": {"type": "rate_limits.updated"}})
            for t in (1.0, 3.0, 9.0)
        )
    )
    source, emitted, slept = _paced(path, speed=4)
    assert await source.run(emitted.append) == 3
    assert slept == [0.5, 1.5]  # (3-1)/4, then (9-1)/4 - 0.5
    assert [e.t for e in emitted] == [1.0, 3.0, 9.0]


async def test_corrupted_recording_replays_the_good_lines_and_names_the_bad(tmp_path: Path) -> None:
    good = {"direction": "server", "t": 0.1, "type": "error", "payload": {"type": "error", "error": {"message": "boom", "type": "server_error"}}}
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join([json.dumps(good), '{"direction": "server", "t": 0.2, "payl', "[]", json.dumps({**good, "t": 0.3})]) + "\n")
    app, source, contents = await replay_into_app(path)
    assert [p.line for p in contents.problems] == [2, 3]
    async with app.run_test(size=(200, 50)) as pilot:
        await (start_replay(app, source, path, contents.problems)).wait()
        await pilot.pause(0.1)
        notes = [n.message for n in app._notifications]
        assert any("2 malformed line(s) skipped: 2, 3" in n for n in notes)
        assert [t.kind for t in app.conversation.turns] == ["error", "error"]


def test_replay_cli_reports_bad_lines_and_refuses_unusable_files(tmp_path: Path, capsys) -> None:
    missing = run(argparse.Namespace(file=str(tmp_path / "nope.jsonl"), speed=1.0))
    assert missing == 2 and "cannot read" in capsys.readouterr().err
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n\n{\"direction\": 1}\n")
    assert run(argparse.Namespace(file=str(junk), speed=1.0)) == 1
    err = capsys.readouterr().err
    assert f"{junk}:1: skipped: not valid JSON" in err and f"{junk}:3: skipped: direction" in err
    assert "holds no readable events" in err
    assert run(argparse.Namespace(file=str(junk), speed=0)) == 2


async def test_configured_key_never_in_inspector_or_its_export(tmp_path: Path) -> None:
    from textual.app import App, ComposeResult

    key = "Zq-local-test-key-7f"
    live = await record_live_session(api_key=key, user_text=f"my key is {key}")

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield InspectorPane(secrets=[key], export_dir=tmp_path)

    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events(live)
        pane.flush()
        rows = app.query_one(EventRows)
        rows.focus()
        shown = []
        for index in range(rows.line_count):
            rows.move_cursor(index)
            row, record = rows.selected()
            shown.append("".join(s.text for s in app.console.render(detail_renderable(row, record), app.console.options)))
            shown.append("".join(s.text for s in rows.render_line(index - int(rows.scroll_y))))
            pane.action_copy_json()
            shown.append(app.clipboard)
        assert any("my key is" in text for text in shown)
        assert not any(key in text for text in shown)
        await pilot.press("X")
        assert key not in pane.exported_path.read_text()


async def test_app_record_flag_records_and_configured_key_is_redacted(tmp_path: Path) -> None:
    """`--record FILE` in Settings starts a recording in the real app; the target's key is redacted in it."""
    from rt_tui.config import Settings, Target
    from rt_tui.core.events import Event
    from rt_tui.ui.app import make_app

    key = "Zq-app-configured-key-42"
    path = tmp_path / "flag.jsonl"
    settings = Settings(target=Target("local", "", "gpt-realtime", api_key=key), record=path)
    app = make_app(settings, connect=False, cursor_blink=False)
    async with app.run_test(size=(200, 50)) as pilot:
        text = f"my key is {key}"
        item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
        app.ingest(Event("client", "conversation.item.create", {"type": "conversation.item.create", "item": item}, 0.5))
        pane = app.query_one(InspectorPane)
        pane.flush()
        await pilot.pause()
        assert key not in pane.event_log.records()[0].text
    recorded = path.read_text()
    assert "my key is" in recorded and key not in recorded


async def test_a_long_pause_in_a_recording_is_shortened_not_waited_out(tmp_path: Path) -> None:
    from rt_tui.replay import MAX_PAUSE_S

    path = tmp_path / "idle.jsonl"
    path.write_text("\n".join(
        json.dumps({"direction": "server", "t": t, "type": "rate_limits.updated", "payload": {"type": "rate_limits.updated"}})
        for t in (1.0, 2.0, 3602.0, 3603.0)))  # an idle hour between the 2nd and 3rd event
    source, emitted, slept = _paced(path, speed=1)
    assert await source.run(emitted.append) == 4
    assert slept == [1.0, MAX_PAUSE_S, 1.0] and source.skipped_s == 3600.0 - MAX_PAUSE_S
    assert [e.t for e in emitted] == [1.0, 2.0, 3602.0, 3603.0]  # the events keep their recorded times
