"""The inspector with long sessions: audio elided on arrival, filters rebuilt in slices, expanded runs as rings drop."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from textual.app import App, ComposeResult

from rt_tui.core.events import Event
from rt_tui.ui.panes import inspector
from rt_tui.ui.panes.inspector import InspectorPane
from rt_tui.ui.panes.inspector_rows import EventRows

AUDIO = base64.b64encode(bytes(4800)).decode()


def mk(direction: str, type_: str, t: float, **fields) -> Event:
    payload = {"type": type_, **fields}
    return Event(direction, type_, payload, t, type_, len(json.dumps(payload)))


def mic(n: int, t0: float = 0.0) -> list[Event]:
    return [mk("client", "input_audio_buffer.append", t0 + i / 10, audio=AUDIO) for i in range(n)]


def marks(n: int, t0: float, word: str = "mark") -> list[Event]:
    return [mk("server", "rate_limits.updated", t0 + i / 100, note=f"{word} {i}") for i in range(n)]


class Host(App[None]):
    def __init__(self, capacity: int = 50_000) -> None:
        super().__init__()
        self.capacity = capacity

    def compose(self) -> ComposeResult:
        yield InspectorPane(id="inspector", capacity=self.capacity, flush_interval=0.05, filter_delay=0.01)


async def test_audio_is_elided_as_it_arrives_not_at_the_flush() -> None:
    app = Host()
    async with app.run_test() as pilot:
        pane = app.query_one(InspectorPane)
        pane.flush_interval = 3600  # nothing flushes on its own during the test
        pane.add_events(mic(50) + [mk("server", "response.output_audio.delta", 9, item_id="i", delta=AUDIO)])
        queued = repr(pane._pending)  # the events and their elided payloads
        assert len(pane._pending) == 51 and AUDIO[:40] not in queued and "‹audio 4,800 B = 100 ms›" in queued
        pane.flush()
        await pilot.pause()
        assert [(r.type, r.count, r.audio_bytes) for r in pane.view.rows] == [
            ("input_audio_buffer.append", 50, 50 * 4800), ("response.output_audio.delta", 1, 4800)]


async def test_a_filter_over_a_long_ring_is_rebuilt_in_slices(monkeypatch) -> None:
    monkeypatch.setattr(inspector, "FLUSH_BUDGET_S", 0.0)  # one slice per tick, whatever the machine's speed
    app = Host()
    async with app.run_test() as pilot:
        pane = app.query_one(InspectorPane)
        pane.add_events(marks(6000, 0.0, "tick") + marks(3, 100.0, "needle"))
        pane.flush()
        pane.filter_input.value = "needle"
        pane.apply_filter()
        status = str(app.query_one("#inspector-status").render())
        assert pane.view.scanning and "filtering…" in status and len(pane.view.rows) == 0
        for _ in range(100):
            await pilot.pause(0.02)
            if not pane.view.scanning:
                break
        assert [r.first.seq for r in pane.view.rows] == [6000, 6001, 6002]
        assert "filtering…" not in str(app.query_one("#inspector-status").render())


async def test_an_expanded_run_keeps_the_cursor_on_its_event_as_the_ring_drops() -> None:
    app = Host(capacity=400)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(InspectorPane)
        rows = app.query_one(EventRows)
        pane.add_events(marks(50, 0.0) + mic(200, 1.0) + [mk("client", "response.create", 30.0)])
        pane.flush()
        await pilot.pause()
        rows.focus()
        rows.move_cursor(50)
        await pilot.press("space")  # expand the mic run
        assert rows.line_count == 52 + 200
        rows.move_cursor(50 + 120)  # its 120th member (by the user: following stops)
        assert not pane.follow
        chosen = rows.selected()[1].seq
        assert chosen == 50 + 119
        pane.add_events(marks(219, 40.0))  # 70 events beyond capacity: the first 50 rows and 20 members go
        pane.flush()
        await pilot.pause()
        assert pane.event_log.first_seq == 70
        assert rows.selected()[1].seq == chosen
        assert rows.line_count == 1 + 180 + 1 + 219
        member = "".join(seg.text for seg in rows.render_line(rows.cursor - int(rows.scroll_y)))
        assert "#100" in member  # members are numbered within what the ring still holds
