"""Snapshots of the inspector pane: grouped rows with an error, an expanded run with the detail view, the filter.

Deterministic: fixed events, no clocks, no cursor blink. Update with
`pytest tests/app/test_inspector_snapshots.py --snapshot-update` after checking the SVGs by eye.
"""

from __future__ import annotations

import base64
import json

from textual.app import App, ComposeResult
from textual.widgets import Input

from rt_tui.core.events import Event
from rt_tui.ui.panes.inspector import InspectorPane
from rt_tui.ui.panes.inspector_rows import EventRows

AUDIO = base64.b64encode(bytes(12_000)).decode()


def mk(direction: str, type_: str, t: float, **fields) -> Event:
    payload = {"type": type_, **fields}
    return Event(direction, type_, payload, t, type_, len(json.dumps(payload)))


def session() -> list[Event]:
    events = [
        mk("server", "session.created", 0.012, session={"type": "realtime", "model": "gpt-realtime"}),
        mk("client", "session.update", 0.020, session={"type": "realtime", "instructions": "Be brief."}),
        mk("server", "session.updated", 0.061, session={"type": "realtime", "instructions": "Be brief."}),
        mk("client", "conversation.item.create", 1.5, item={"type": "message", "role": "user",
                                                           "content": [{"type": "input_text", "text": "Tell me a joke"}]}),
        mk("client", "response.create", 1.501),
        mk("server", "response.created", 1.56, response={"id": "resp_1", "status": "in_progress"}),
    ]
    for i in range(40):
        c = {"response_id": "resp_1", "item_id": "item_A1", "output_index": 0, "content_index": 0}
        events.append(mk("server", "response.output_audio_transcript.delta", 1.8 + i * 0.02, **c, delta="ha "))
        events.append(mk("server", "response.output_audio.delta", 1.8 + i * 0.02, **c, delta=AUDIO))
    events += [
        mk("server", "response.done", 2.7, response={"id": "resp_1", "status": "completed"}),
        mk("client", "conversation.item.retrieve", 3.0, item_id="item_nope"),
        mk("server", "error", 3.05, error={"type": "invalid_request_error", "code": "item_retrieve_invalid_item_id",
                                           "message": "Error retrieving item: the item with id 'item_nope' does not exist."}),
    ]
    return events


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield InspectorPane(id="inspector")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False
        pane = self.query_one(InspectorPane)
        pane.add_events(session())
        pane.flush()


def test_grouped_rows_with_error(snap_compare) -> None:
    assert snap_compare(Host(), terminal_size=(80, 24))


def test_expanded_run_and_detail(snap_compare) -> None:
    async def run_before(pilot) -> None:
        rows = pilot.app.query_one(EventRows)
        rows.focus()
        rows.move_cursor(6)  # the transcript run
        await pilot.press("space", "down", "enter")
        await pilot.pause()

    assert snap_compare(Host(), terminal_size=(120, 40), run_before=run_before)


def test_filter_with_completion(snap_compare) -> None:
    async def run_before(pilot) -> None:
        pilot.app.query_one(EventRows).focus()
        await pilot.press("slash", *"dir:client conversation.item.cr")
        await pilot.pause(0.3)

    assert snap_compare(Host(), terminal_size=(80, 24), run_before=run_before)
