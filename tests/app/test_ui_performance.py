"""The app's flood defences: quiet text updates, a line-drawn conversation log, merged worker events, paced GC."""

from __future__ import annotations

import gc

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from rt_tui.config import Settings, Target
from rt_tui.core.events import Event
from rt_tui.ui.app import make_app
from rt_tui.ui.gc_pacing import NO_AUTOMATIC_FULL_COLLECTION, GcPacer
from rt_tui.ui.widgets.text_updates import set_line

from app_helpers import layout_requests


class TextApp(App[None]):
    CSS = "#box { width: 20; height: auto; } #body { height: auto; }"

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label("tokens 1 in/2 out", id="line")
            yield Static("one two", id="body")


async def test_a_label_lays_out_only_when_its_width_changes():
    app = TextApp()
    async with app.run_test() as pilot:
        label = app.query_one("#line", Label)
        requests = layout_requests(label)
        assert not set_line(label, "tokens 1 in/2 out")  # unchanged: nothing at all
        assert set_line(label, "tokens 3 in/4 out")  # same width: repaint only
        await pilot.pause()
        assert requests == [] and str(label.render()) == "tokens 3 in/4 out"
        assert set_line(label, "tokens 30 in/4 out")
        await pilot.pause()
        assert requests and label.outer_size.width == len("tokens 30 in/4 out")


def _user_item(n: int) -> Event:
    item = {"id": f"item_{n}", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": f"message {n}"}]}
    return Event("server", "conversation.item.added", {"type": "conversation.item.added", "item": item}, n / 10)


async def test_a_burst_of_worker_events_is_taken_in_a_few_messages():
    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False,
                   audio=False)
    async with app.run_test(size=(100, 30)) as pilot:
        posted = []
        original = app.post_message
        app.post_message = lambda message: (posted.append(type(message).__name__), original(message))[1]
        for n in range(500):
            app._on_worker_event(_user_item(n))  # as the worker's receive loop delivers them
        await pilot.pause(0.2)
        assert len(app.conversation.turns) == 500
        assert 1 <= posted.count("RealtimeEventsArrived") < 50 and len(posted) < 60


def test_full_collections_wait_for_a_quiet_moment():
    now = [0.0]
    saved = gc.get_threshold()
    pacer = GcPacer(quiet_s=1.0, min_interval_s=20.0, max_interval_s=300.0, clock=lambda: now[0])
    try:
        pacer.start()
        assert gc.get_threshold()[2] == NO_AUTOMATIC_FULL_COLLECTION
        now[0] = 25.0
        pacer.activity()  # events still flowing
        now[0] = 25.5
        assert not pacer.tick()
        now[0] = 26.5  # a second without events, 26 s after the last full collection
        assert pacer.tick() and pacer.full_collections == 1
        now[0] = 30.0
        assert not pacer.tick()  # quiet, but one ran 3.5 s ago
        for second in range(31, 340):  # an endless flood still gets one every max_interval_s
            now[0] = float(second)
            pacer.activity()
            pacer.tick()
        assert pacer.full_collections == 2
    finally:
        pacer.stop()
        gc.unfreeze()
    assert gc.get_threshold() == saved


async def test_the_token_count_widens_its_label_but_never_narrows_it():
    from types import SimpleNamespace

    from rt_tui.ui.widgets.status_bar import TOKENS_MIN_WIDTH

    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False,
                   audio=False)
    async with app.run_test(size=(100, 30)) as pilot:
        bar, label = app.status_bar, app.query_one("#status-tokens", Label)
        bar.set_usage(SimpleNamespace(input_tokens=12, output_tokens=30))
        await pilot.pause()
        assert str(label.render()) == "tokens 12 in/30 out".rjust(TOKENS_MIN_WIDTH)
        requests = layout_requests(label)
        bar.set_usage(SimpleNamespace(input_tokens=12000, output_tokens=40))  # longer text, still fits
        await pilot.pause()
        assert requests == [] and str(label.render()) == "tokens 12000 in/40 out".rjust(TOKENS_MIN_WIDTH)
        bar.set_usage(SimpleNamespace(input_tokens=1234567, output_tokens=7654321))
        await pilot.pause()
        assert requests and str(label.render()) == "tokens 1234567 in/7654321 out"
        requests.clear()
        bar.set_usage(SimpleNamespace(input_tokens=1234568, output_tokens=9))  # shorter again: padded
        await pilot.pause()
        assert requests == [] and str(label.render()).strip() == "tokens 1234568 in/9 out"
