"""Snapshots of the main screen, idle and mid-conversation, at 80×24 and 160×48.

Deterministic: no network (events are replayed from a fixed script), a frozen clock, no cursor blink.
Update with `pytest tests/app/test_snapshots.py --snapshot-update` after checking the SVGs by eye.
"""

from __future__ import annotations

import pytest

from rt_tui.config import Settings, Target
from rt_tui.ui.app import make_app

from scripted_session import conversation_events, idle_events

SIZES = [(80, 24), (160, 48)]


def _app(events, theme: str = "textual-dark"):
    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, clock=lambda: 1000.0,
                   cursor_blink=False)

    async def run_before(pilot) -> None:
        app.theme = theme
        for event in events:
            app.ingest(event)
        app.flush_render()
        app.query_one("#inspector").flush()
        await pilot.pause(0.2)
        await pilot.wait_for_scheduled_animations()

    return app, run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_idle(snap_compare, size):
    app, run_before = _app(idle_events())
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_mid_conversation(snap_compare, size):
    app, run_before = _app(conversation_events(finish=False))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_finished_reply_under_builtin_themes(snap_compare, theme):
    app, run_before = _app(conversation_events(finish=True), theme)
    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)
