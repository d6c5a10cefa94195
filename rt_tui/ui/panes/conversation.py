"""The conversation log: one widget per turn; only turns that changed are updated."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Label, Static

from rt_tui.ui.panes.turn_text import turn_body, turn_meta, turn_status, turn_title
from rt_tui.ui.widgets.text_updates import set_wrapped

MAX_TURN_VIEWS = 50  # newest turns kept as widgets: each costs memory and layout time in a long session

_KIND_CLASSES = {"error": "-error", "function_call": "-call", "function_call_output": "-call"}


class TurnView(Vertical, can_focus=True):
    """One turn. `show(turn)` touches only the parts whose text changed."""

    BINDINGS = [Binding("c", "copy_message", "Copy message", id="copy_message")]

    def __init__(self, turn: Any) -> None:
        super().__init__(classes=f"turn -{turn.role} {_KIND_CLASSES.get(turn.kind, '')}".strip())
        self.item_id = turn.item_id
        self.turn = turn
        self._title = Label("", classes="turn-title")
        self._status = Label("", classes="turn-status")
        self._body = Static("", classes="turn-body", markup=False)
        self._meta = Label("", classes="turn-meta")
        self._shown: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._status
        yield self._body
        yield self._meta

    def on_mount(self) -> None:
        self.show(self.turn)

    def show(self, turn: Any) -> None:
        self.turn = turn
        self._set(self._title, "title", turn_title(turn))
        self._set(self._status, "status", turn_status(turn))
        self._set(self._body, "body", turn_body(turn))
        self._set(self._meta, "meta", turn_meta(turn) if turn.role == "assistant" else "")
        self.set_class(turn.status == "in_progress", "-streaming")
        self.set_class(turn.status in ("interrupted", "cancelled", "incomplete", "failed"), "-interrupted")

    def _set(self, widget: Label | Static, key: str, text: str) -> None:
        if self._shown.get(key) == text:
            return
        self._shown[key] = text
        widget.display = bool(text)
        set_wrapped(widget, text)  # a streamed reply lays the screen out only when it needs another line

    def action_copy_message(self) -> None:
        self.app.copy_to_clipboard(turn_body(self.turn))
        self.notify("Message copied to the clipboard (OSC 52)", timeout=2)


class ConversationPane(VerticalScroll):
    """Scrollable log of `TurnView`s, kept in the reducer's turn order."""

    ALLOW_MAXIMIZE = True

    def __init__(self, *, max_views: int = MAX_TURN_VIEWS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Conversation"
        self.max_views = max_views
        self.hidden_turns = 0
        self._views: dict[str, TurnView] = {}
        self._earlier = Static("", classes="conversation-earlier", markup=False)
        self._hint = Static(
            "Type a message below and press Enter. Ctrl+S applies the instructions on the left; "
            "Ctrl+P opens the command palette.",
            classes="conversation-hint",
        )

    def compose(self) -> ComposeResult:
        yield self._hint
        yield self._earlier

    def on_mount(self) -> None:
        self._earlier.display = False

    def render_turns(self, turns: tuple[Any, ...]) -> None:
        """Mount new turns, update changed ones, drop vanished ones; never rebuilds the rest.

        Only the newest `max_views` turns are widgets; a note counts the older ones (the transcript
        copy and the inspector still have them).
        """
        follow = self.max_scroll_y - self.scroll_y <= 2
        hidden = max(len(turns) - self.max_views, 0)
        turns = turns[hidden:]
        live_ids = {turn.item_id for turn in turns}
        for item_id in [i for i in self._views if i not in live_ids]:
            self._views.pop(item_id).remove()
        if hidden != self.hidden_turns:
            self.hidden_turns = hidden
            self._earlier.update(f"… {hidden:,} earlier turns are not shown here (Ctrl+Y copies the whole "
                                 "transcript; the inspector keeps the events).")
            self._earlier.display = hidden > 0
        previous: Widget = self._earlier
        for turn in turns:
            view = self._views.get(turn.item_id)
            if view is None:
                view = TurnView(turn)
                self._views[turn.item_id] = view
                self.mount(view, after=previous)
            elif view.turn is not turn:
                view.show(turn)
            previous = view
        self._hint.display = not turns
        if follow:
            self.call_after_refresh(self.scroll_end, animate=False)

    def views(self) -> list[TurnView]:
        return list(self._views.values())
