"""The conversation log draws every turn line by line: no widget per turn, no screen layout per change."""

from __future__ import annotations

from rt_tui.config import Settings, Target
from rt_tui.core.events import Event
from rt_tui.ui.app import make_app
from rt_tui.ui.panes.conversation import ConversationPane, wrap

from app_helpers import layout_requests

SIZE = (100, 30)


def _app():
    return make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False,
                    audio=False)


def _user_item(n: int, text: str | None = None) -> Event:
    item = {"id": f"item_{n}", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": text or f"message {n}"}]}
    return Event("server", "conversation.item.added", {"type": "conversation.item.added", "item": item}, n / 10)


def _error(n: int, message: str) -> Event:
    payload = {"type": "error", "event_id": f"event_err{n}",
               "error": {"type": "invalid_request_error", "code": "bad", "message": message}}
    return Event("server", "error", payload, n / 10)


def _screen_lines(pane: ConversationPane) -> list[str]:
    """The pane's visible lines as drawn."""
    return [pane.render_line(y).text for y in range(pane.scrollable_content_region.height)]


def _style_at(strip, x: int):
    """The style of the cell at column `x` of a drawn line."""
    for segment in strip:
        if x < segment.cell_length:
            return segment.style
        x -= segment.cell_length
    raise IndexError(x)


def test_wrap_keeps_newlines_and_folds_long_words():
    assert wrap("hello world this is\nnew", 12) == ["hello world", "this is", "new"]
    assert wrap("abcdefghijklmnop", 5) == ["abcde", "fghij", "klmno", "p"]


async def test_a_thousand_turns_are_all_kept_without_a_widget_each_and_the_tail_is_followed():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.conversation_pane
        for n in range(1000):
            app.ingest(_user_item(n))
        app.flush_render()
        await pilot.pause()
        assert len(pane.blocks()) == 1000 and not list(pane.children)
        assert pane.line_count == 1000 * 3  # title, body, gap
        assert pane.scroll_y == pane.max_scroll_y > 0
        drawn = _screen_lines(pane)
        assert any("message 999" in line for line in drawn) and not any("message 0" == line.strip() for line in drawn)


async def test_the_log_stays_where_the_reader_scrolled_when_turns_arrive():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.conversation_pane
        for n in range(100):
            app.ingest(_user_item(n))
        app.flush_render()
        await pilot.pause()
        pane.scroll_to(y=0, animate=False, immediate=True)
        app.ingest(_user_item(100))
        app.flush_render()
        await pilot.pause()
        assert pane.scroll_y == 0 and "message 0" in "".join(_screen_lines(pane))


async def test_a_streamed_reply_rewraps_its_own_lines_without_a_screen_layout():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.conversation_pane
        for n in range(30):  # enough turns for the scrollbar to be there already (its appearing lays out once)
            app.ingest(_user_item(n))
        item = {"id": "item_a", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
        app.ingest(Event("server", "conversation.item.added", {"type": "conversation.item.added", "item": item}, 0.1))
        app.flush_render()
        await pilot.pause()
        requests = layout_requests(pane)
        layouts = layout_requests(app.screen)
        c = {"response_id": "resp_1", "item_id": "item_a", "output_index": 0, "content_index": 0}
        for i in range(300):
            app.ingest(Event("server", "response.output_text.delta",
                             {"type": "response.output_text.delta", **c, "delta": f"word{i} "}, 0.2 + i / 1000))
            if i % 50 == 0:
                app.flush_render()
                await pilot.pause()
        app.flush_render()
        await pilot.pause()
        block = pane.blocks()[-1]
        body_lines = [text for part, text in block.lines if part == "body"]
        assert len(body_lines) > 10 and all(len(line) <= pane.scrollable_content_region.width - 3 for line in body_lines)
        assert " ".join(body_lines).split() == [f"word{i}" for i in range(300)]
        assert "word299" in "".join(_screen_lines(pane))  # followed the growing reply
        assert requests == [] and layouts == []


async def test_resizing_rewraps_every_turn():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.conversation_pane
        app.ingest(_user_item(0, " ".join(["sentence"] * 60)))
        app.flush_render()
        await pilot.pause()
        wide = pane.line_count
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        assert pane.line_count > wide
        assert all(len(line.rstrip()) <= pane.scrollable_content_region.width for line in _screen_lines(pane))


async def test_arrows_select_turns_and_c_copies_the_selected_message():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.conversation_pane
        for n in range(3):
            app.ingest(_user_item(n))
        app.flush_render()
        pane.focus()
        await pilot.pause()
        assert pane.selected_id == "item_2"  # focusing the log selects the newest turn
        await pilot.press("up", "up")
        assert pane.selected_id == "item_0"
        await pilot.press("c")
        assert app.clipboard == "message 0"
        await pilot.press("end")
        assert pane.selected_id == "item_2"
        selected_style = _style_at(pane.render_line(pane._starts[2] - int(pane.scroll_y)), 5)
        other_style = _style_at(pane.render_line(pane._starts[0] - int(pane.scroll_y)), 5)
        assert selected_style.bgcolor != other_style.bgcolor  # the selection is drawn


async def test_a_click_selects_the_turn_under_the_pointer():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.conversation_pane
        for n in range(3):
            app.ingest(_user_item(n))
        app.flush_render()
        await pilot.pause()
        await pilot.click(ConversationPane, offset=(5, 1 + pane._starts[1] + 1))  # border + the body line of turn 1
        assert pane.selected_id == "item_1"


async def test_turn_kinds_are_drawn_in_their_own_styles():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.conversation_pane
        app.ingest(_user_item(0))
        app.ingest(_error(1, "Something [bold]broke[/] here"))
        app.flush_render()
        await pilot.pause()
        user, error = pane.blocks()
        assert error.kind == "error" and "Something [bold]broke[/] here" in error.text  # literal, not markup
        user_bar = _style_at(pane.render_line(pane._starts[0]), 0)
        error_bar = _style_at(pane.render_line(pane._starts[1]), 0)
        assert user_bar.color != error_bar.color
        body_line = next(i for i, (part, _) in enumerate(error.lines) if part == "body")
        error_body = pane.render_line(pane._starts[1] + body_line)
        assert "Something [bold]broke[/] here" in error_body.text
        assert _style_at(error_body, 5).bgcolor != _style_at(pane.render_line(pane._starts[0] + 1), 5).bgcolor


async def test_the_empty_log_shows_the_hint():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Type a message below" in " ".join(_screen_lines(app.conversation_pane))


async def test_mouse_selection_maps_to_the_text_and_copies_it_without_the_role_bars():
    from textual.geometry import Offset
    from textual.selection import Selection

    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.conversation_pane
        app.ingest(_user_item(0, "first message"))
        app.ingest(_user_item(1, "second message"))
        app.flush_render()
        await pilot.pause()
        body = pane._starts[1] + 1  # the body line of the second turn
        region = pane.scrollable_content_region
        widget, offset = app.screen.get_widget_and_offset_at(region.x + 2 + 7, region.y + body)
        assert widget is pane and offset == Offset(7, body)  # column 7 of the text, past the bar
        app.screen.selections = {pane: Selection(Offset(6, pane._starts[0] + 1), Offset(6, body))}
        await pilot.pause()
        assert app.screen.get_selected_text() == "message\n\nYou\nsecond"
        drawn = pane.render_line(body)
        selected = _style_at(drawn, 2)
        assert selected.bgcolor != _style_at(drawn, 2 + 8).bgcolor  # "second" is drawn selected, the rest not
