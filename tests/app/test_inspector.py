"""Pilot tests of the inspector pane in a small host app."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from rt_tui.core.events import Event
from rt_tui.core.recording import read_recording
from rt_tui.ui.panes.inspector import InspectorPane
from rt_tui.ui.panes.inspector_rows import EventRows

AUDIO = base64.b64encode(bytes(4800)).decode()


def mk(direction: str, type_: str, t: float, **fields) -> Event:
    payload = {"type": type_, **fields}
    return Event(direction, type_, payload, t, type_, len(json.dumps(payload)))


def voice_turn(t0: float = 0.0, item: str = "item_A", resp: str = "resp_1", n: int = 143) -> list[Event]:
    events = [
        mk("client", "conversation.item.create", t0, item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello there"}]}),
        mk("client", "response.create", t0 + 0.001),
        mk("server", "response.created", t0 + 0.01, response={"id": resp, "status": "in_progress"}),
    ]
    for i in range(n):
        t = t0 + 0.02 + i * 0.001
        events.append(mk("server", "response.output_audio.delta", t, response_id=resp, item_id=item, delta=AUDIO))
        events.append(mk("server", "response.output_audio_transcript.delta", t, response_id=resp, item_id=item, delta="w "))
    events.append(mk("server", "response.done", t0 + 0.5, response={"id": resp, "status": "completed"}))
    return events


class Host(App[None]):
    def __init__(self, tmp: Path, capacity: int = 50_000) -> None:
        super().__init__()
        self.pane_args = {"export_dir": tmp, "capacity": capacity, "flush_interval": 0.05, "filter_delay": 0.01}

    def compose(self) -> ComposeResult:
        yield InspectorPane(id="inspector", **self.pane_args)


def row_labels(pane: InspectorPane) -> list[tuple[str, int]]:
    return [(r.type, r.count) for r in pane.view.rows]


async def settle(pilot, pane: InspectorPane) -> None:
    pane.flush()
    await pilot.pause()


async def test_grouping_and_expand(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events(voice_turn())
        # the flush timer picks the batch up, in time-budgeted slices: on a busy machine that takes several ticks
        for _ in range(200):
            await pilot.pause(0.05)
            if row_labels(pane)[-1:] == [("response.done", 1)]:
                break
        assert row_labels(pane) == [
            ("conversation.item.create", 1), ("response.create", 1), ("response.created", 1),
            ("response.output_audio.delta", 143), ("response.output_audio_transcript.delta", 143), ("response.done", 1),
        ]
        rows = app.query_one(EventRows)
        rows.focus()
        rows.move_cursor(3)
        rendered = "".join(seg.text for seg in rows.render_line(3 - int(rows.scroll_y)))
        assert "response.output_audio.delta ×143, 14.3 s" in rendered
        await pilot.press("space")
        assert rows.line_count == 6 + 143
        member = "".join(seg.text for seg in rows.render_line(4 - int(rows.scroll_y)))
        assert "‹audio 4,800 B = 100 ms›" in member and AUDIO[:20] not in member
        await pilot.press("space")
        assert rows.line_count == 6


async def test_filters_by_type_direction_id_and_text(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events(voice_turn() + voice_turn(1.0, "item_B", "resp_2", n=3))
        await settle(pilot, pane)
        app.query_one(EventRows).focus()
        await pilot.press("slash")
        await pilot.press(*"response.*")
        await pilot.pause(0.05)
        assert {t for t, _ in row_labels(pane)} == {
            "response.create", "response.created", "response.output_audio.delta",
            "response.output_audio_transcript.delta", "response.done",
        }
        pane.filter_input.value = "id:item_B"
        pane.apply_filter()
        assert row_labels(pane) == [("response.output_audio.delta", 3), ("response.output_audio_transcript.delta", 3)]
        pane.filter_input.value = ""
        pane.apply_filter()
        app.query_one(EventRows).focus()
        await pilot.press("d")
        assert pane.filter_input.value == "dir:client"
        assert {t for t, _ in row_labels(pane)} == {"conversation.item.create", "response.create"}
        await pilot.press("d")
        assert pane.filter_input.value == "dir:server"
        await pilot.press("d")
        assert pane.filter_input.value == "" and len(pane.view.rows) == 12
        pane.filter_input.value = '"hello there"'
        pane.apply_filter()
        assert row_labels(pane) == [("conversation.item.create", 1), ("conversation.item.create", 1)]


async def test_filter_completion_of_known_types(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        pane = app.query_one(InspectorPane)
        app.query_one(EventRows).focus()
        await pilot.press("slash", *"dir:client input_audio_buffer.ap")
        await pilot.pause(0.05)
        await pilot.press("right")  # accept the suggestion
        assert pane.filter_input.value == "dir:client input_audio_buffer.append"


async def test_detail_copy_and_copy_as_code(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events(voice_turn(n=2))
        await settle(pilot, pane)
        rows = app.query_one(EventRows)
        rows.focus()
        rows.move_cursor(0)
        await pilot.press("enter")
        assert pane.has_class("-detail")
        body = app.query_one("#inspector-detail-body")
        shown = "".join(seg.text for seg in app.console.render(body.content, app.console.options))
        assert "conversation.item.create" in shown and '"hello there"' in shown
        await pilot.press("c")
        assert json.loads(app.clipboard)["item"]["content"][0]["text"] == "hello there"
        await pilot.press("k")
        assert app.clipboard.startswith("await connection.conversation.item.create(\n    item={")
        await pilot.press("down", "down", "k")  # a server event: nothing to copy as code
        assert app.clipboard.startswith("await connection.conversation.item.create(")
        await pilot.press("escape")
        assert not pane.has_class("-detail")


async def test_errors_highlighted_with_theme_style(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events([mk("server", "session.created", 0.0, session={}), mk("server", "error", 0.1, error={"message": "bad"})])
        await settle(pilot, pane)
        rows = app.query_one(EventRows)
        rows.move_cursor(0)
        error_style = rows.get_component_rich_style("event-rows--error")
        assert error_style.color is not None
        error_line = rows.render_line(1)
        normal_line = rows.render_line(0)
        assert any(seg.style and seg.style.color == error_style.color for seg in error_line)
        assert not any(seg.style and seg.style.bold for seg in normal_line if seg.text.strip())
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        new_error_style = rows.get_component_rich_style("event-rows--error")
        assert new_error_style.color != error_style.color  # the theme's own error colour…
        assert any(seg.style and seg.style.color == new_error_style.color for seg in rows.render_line(1))  # …is used


async def test_follow_tail_and_stay_put(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(InspectorPane)
        rows = app.query_one(EventRows)
        pane.add_events([mk("server", "rate_limits.updated", i / 100) for i in range(100)])
        await settle(pilot, pane)
        assert pane.follow and rows.cursor == 99 and rows.scroll_y > 50
        rows.focus()
        await pilot.press("t")
        assert not pane.follow
        await pilot.press("home")
        pane.add_events([mk("server", "rate_limits.updated", 2 + i / 100) for i in range(50)])
        await settle(pilot, pane)
        assert rows.cursor == 0 and rows.scroll_y == 0
        await pilot.press("t")
        await pilot.pause()
        assert pane.follow and rows.cursor == 149 and rows.scroll_y >= 149 - rows.size.height
        await pilot.press("up")  # navigating away from the tail pauses following
        assert not pane.follow


async def test_ring_drops_oldest_with_visible_note(tmp_path: Path) -> None:
    app = Host(tmp_path, capacity=100)
    async with app.run_test() as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events([mk("server", "rate_limits.updated", i / 100) for i in range(250)])
        await settle(pilot, pane)
        status = app.query_one("#inspector-status")
        assert "250 events" in str(status.render()) and "150 oldest dropped" in str(status.render())
        assert status.has_class("-dropped")
        assert len(pane.view.rows) == 100 and pane.view.rows[0].first.seq == 150


@pytest.mark.parametrize("filtered", [True, False])
async def test_export_jsonl(tmp_path: Path, filtered: bool) -> None:
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events(voice_turn(n=5))
        pane.filter_input.value = "dir:client"
        pane.apply_filter()
        app.query_one(EventRows).focus()
        await pilot.press("x" if filtered else "X")
        contents = read_recording(pane.exported_path)
        assert contents.problems == []
        expected = 2 if filtered else 3 + 10 + 1
        assert len(contents.events) == expected
        assert AUDIO[:40] not in pane.exported_path.read_text()
        if not filtered:
            assert sum(contents.audio_bytes) == 5 * 4800


async def test_copy_as_code_is_runnable_and_sends_the_same_event() -> None:
    """The generated snippet, executed against a real SDK connection to the emulator, sends the event."""
    import asyncio
    import textwrap

    from openai import AsyncOpenAI

    from rt_tui.core.sdk_code import sdk_call_code
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator

    payloads = [
        {"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief.", "output_modalities": ["text"]}},
        {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}},
        {"type": "input_audio_buffer.clear", "event_id": "evt_1"},
        {"type": "response.cancel"},
    ]
    async with Emulator(EmulatorOptions(ping_interval_s=None)) as emu:
        http = emu.url.replace("ws://", "http://")
        client = AsyncOpenAI(api_key="x", base_url=f"{http}/v1", websocket_base_url=f"{emu.url}/v1")
        async with client.realtime.connect(model="gpt-realtime") as connection:
            for payload in payloads:
                namespace: dict = {}
                exec("async def send(connection):\n" + textwrap.indent(sdk_call_code(payload), "    "), namespace)
                await namespace["send"](connection)
            for _ in range(200):
                if len(emu.received) >= len(payloads):
                    break
                await asyncio.sleep(0.01)
        await client.close()
    assert emu.received == payloads


async def test_record_key_starts_and_stops_a_recording(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events(voice_turn(n=2))  # before recording: not recorded
        app.query_one(EventRows).focus()
        await pilot.press("r")
        assert pane.recorder is not None and "● recording" in app.query_one("#inspector-status").text
        pane.add_events(voice_turn(1.0, n=3))
        await pilot.press("r")
        assert pane.recorder is None
        recorded = sorted(tmp_path.glob("rt-tui-session-*"))
        jsonl = next(p for p in recorded if p.suffix == ".jsonl")
        contents = read_recording(jsonl)
        assert contents.problems == [] and len(contents.events) == 3 + 6 + 1
        assert [p.name.split(".", 1)[1] for p in recorded if p.suffix == ".wav"] == ["assistant.wav", "mic.wav"]
        assert AUDIO[:40] not in jsonl.read_text()
        import wave

        with wave.open(str(jsonl.with_name(jsonl.stem + ".assistant.wav"))) as track:
            assert track.getnframes() == 3 * 4800 // 2  # the three deltas sent while recording
