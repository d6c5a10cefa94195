"""The conversation log: every turn of the session, drawn line by line.

There is no widget per turn: a turn is wrapped to the log's width once when it changes (`TurnBlock`), and
each frame draws only the visible lines. Adding a turn or growing a streamed reply therefore repaints this
pane alone — no screen layout — and a long session costs the text it holds, not a widget tree per turn.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Click, Resize
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from rt_tui.core.redaction import redact_text
from rt_tui.ui.panes.turn_text import turn_body, turn_meta, turn_status, turn_title
from rt_tui.ui.widgets.text_updates import set_virtual_height

HINT = ("Type a message below and press Enter. Ctrl+S applies the instructions on the left; "
        "Ctrl+P opens the command palette.")
BAR = "▎"
GUTTER = 2  # the role bar and one space before the text
RIGHT_MARGIN = 1
_UNFINISHED = ("interrupted", "cancelled", "incomplete", "failed")
_BACKGROUNDS = ("selected", "error")
_KINDS = {"error": "error", "function_call": "call", "function_call_output": "call"}

LinePart = str  # "title" | "status" | "warning" | "body" | "meta" | "gap"


def turn_kind(turn: Any) -> str:
    """The family a turn is drawn in: user, assistant, call, error or other."""
    if turn.kind in _KINDS:
        return _KINDS[turn.kind]
    return turn.role if turn.role in ("user", "assistant") else "other"


def wrap(text: str, width: int) -> list[str]:
    """`text` word-wrapped to `width` cells (long words folded); newlines kept."""
    return [line.plain for line in Content(text).wrap(max(width, 1))]


@dataclass(frozen=True, eq=False)
class TurnBlock:
    """One turn as the log draws it: its texts, and their lines wrapped to the log's width."""

    turn: Any
    title: str
    status: str
    body: str
    meta: str
    lines: tuple[tuple[LinePart, str], ...]  # the last one is the blank gap before the next turn

    @property
    def item_id(self) -> str:
        return self.turn.item_id

    @property
    def kind(self) -> str:
        return turn_kind(self.turn)

    @property
    def text(self) -> str:
        """The block's lines as drawn (without the role bar)."""
        return "\n".join(text for _, text in self.lines)


def build_block(turn: Any, width: int) -> TurnBlock:
    title, status, body = turn_title(turn), turn_status(turn), turn_body(turn)
    meta = turn_meta(turn) if turn.role == "assistant" else ""
    status_part = "warning" if turn.status in _UNFINISHED else "status"
    lines: list[tuple[LinePart, str]] = []
    for part, text in (("title", title), (status_part, status), ("body", body), ("meta", meta)):
        if text:
            lines.extend((part, line) for line in wrap(text, width))
    lines.append(("gap", ""))
    return TurnBlock(turn, title, status, body, meta, tuple(lines))


class ConversationPane(ScrollView, can_focus=True):
    """Scrollable log of every turn in the reducer's order; ↑/↓ select a turn, `c` copies it."""

    ALLOW_MAXIMIZE = True
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "conversation--bar-user", "conversation--bar-assistant", "conversation--bar-call",
        "conversation--bar-error", "conversation--bar-other", "conversation--title", "conversation--status",
        "conversation--warning", "conversation--body", "conversation--meta", "conversation--hint",
        "conversation--error", "conversation--selected",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "select_turn(-1)", "Previous turn", id="conversation.previous", show=False),
        Binding("down", "select_turn(1)", "Next turn", id="conversation.next", show=False),
        Binding("home", "select_edge(0)", "First turn", id="conversation.first", show=False),
        Binding("end", "select_edge(-1)", "Last turn", id="conversation.last", show=False),
        Binding("c", "copy_message", "Copy message", id="copy_message"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Conversation"
        self._blocks: list[TurnBlock] = []
        self._by_id: dict[str, TurnBlock] = {}
        self._starts: list[int] = []  # first line of each block
        self._wrap_width = 0
        self._hint_lines: list[str] = []
        self.selected_id: str | None = None
        self._styles: dict[tuple[str, ...], Style] = {}

    # ---- model ----------------------------------------------------------------------------------------

    def render_turns(self, turns: tuple[Any, ...]) -> None:
        """Show `turns`: re-wraps only the turns that changed; keeps following the end if it was there."""
        width = self._text_width()
        changed = len(turns) != len(self._blocks) or width != self._wrap_width
        blocks: list[TurnBlock] = []
        for index, turn in enumerate(turns):
            block = self._by_id.get(turn.item_id)
            if block is None or width != self._wrap_width or (block.turn is not turn and block.turn != turn):
                block = build_block(turn, width)
                changed = True
            elif not changed and self._blocks[index] is not block:
                changed = True
            blocks.append(block)
        if changed:
            self._set_blocks(blocks, width)

    def blocks(self) -> list[TurnBlock]:
        """The turns as shown, in order."""
        return list(self._blocks)

    def block(self, item_id: str) -> TurnBlock | None:
        return self._by_id.get(item_id)

    @property
    def line_count(self) -> int:
        if not self._blocks:
            return len(self._hint_lines)
        return self._starts[-1] + len(self._blocks[-1].lines)

    def _set_blocks(self, blocks: list[TurnBlock], width: int) -> None:
        following = self.max_scroll_y - self.scroll_y <= 2
        self._blocks = blocks
        self._by_id = {block.item_id: block for block in blocks}
        self._wrap_width = width
        self._hint_lines = [] if blocks else ["", *wrap(HINT, width)]
        starts, line = [], 0
        for block in blocks:
            starts.append(line)
            line += len(block.lines)
        self._starts = starts
        if self.selected_id is not None and self.selected_id not in self._by_id:
            self.selected_id = None
        set_virtual_height(self, self.line_count)
        if following:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        self.refresh()

    def _text_width(self) -> int:
        return max(self.scrollable_content_region.width - GUTTER - RIGHT_MARGIN, 1)

    def on_resize(self, event: Resize) -> None:
        if self._text_width() != self._wrap_width:
            self._set_blocks([build_block(block.turn, self._text_width()) for block in self._blocks],
                             self._text_width())

    # ---- rendering ------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if not self._blocks:
            text = self._hint_lines[index] if index < len(self._hint_lines) else ""
            return self._text_line(text, self._style("hint"), index, width, self._style())
        number = bisect_right(self._starts, index) - 1
        if number < 0 or index >= self.line_count:
            return Strip.blank(width, self._style())
        block = self._blocks[number]
        part, text = block.lines[index - self._starts[number]]
        if part == "gap":
            return self._text_line("", self._style(), index, width, self._style())
        background = ("selected",) if block.item_id == self.selected_id and self.has_focus else ()
        if block.kind == "error":
            background += ("error",)
        base = self._style(*background)
        origin = Style.from_meta({"offset": (0, index)})  # mouse selection: the gutter counts as column 0
        gutter = Strip([Segment(BAR, self._style(*background, f"bar-{block.kind}") + origin),
                        Segment(" ", base + origin)])
        text_line = self._text_line(text, self._style(*background, part), index, width - GUTTER, base)
        return Strip.join([gutter, text_line])

    def _text_line(self, text: str, style: Style, index: int, width: int, base: Style) -> Strip:
        """One line's text padded to `width`, with mouse-selection offsets and the selection drawn."""
        pieces = [(0, text, style)]
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(index)) is not None:
            start, end = span
            end = len(text) if end == -1 else min(end, len(text))
            if start < end:
                selected = style + self.screen.get_component_rich_style("screen--selection")
                pieces = [(0, text[:start], style), (start, text[start:end], selected), (end, text[end:], style)]
        padding = max(width - cell_len(text), 0)
        pieces.append((len(text), " " * padding, base))
        return Strip([Segment(piece, piece_style + Style.from_meta({"offset": (x, index)}))
                      for x, piece, piece_style in pieces if piece]).crop(0, width)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text (mouse drag): the lines as drawn, without the role bars."""
        if self._blocks:
            text = "\n".join(line for block in self._blocks for _, line in block.lines)
        else:
            text = "\n".join(self._hint_lines)
        return selection.extract(text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def notify_style_update(self) -> None:
        self._styles.clear()  # theme or CSS changed
        super().notify_style_update()

    def _style(self, *parts: str) -> Style:
        style = self._styles.get(parts)
        if style is None:
            style = self.rich_style
            for part in parts:  # each part adds only what its rule sets, so a line keeps its turn's background
                name = f"conversation--{part}"
                partial = self.get_component_rich_style(name, partial=True)
                full = self.get_component_rich_style(name)  # translucent colours ($text-muted) resolved
                style += partial
                if partial.color is not None:
                    style += Style(color=full.color)
                if part in _BACKGROUNDS:
                    style += Style(bgcolor=full.bgcolor)
            self._styles[parts] = style
        return style

    # ---- selection ------------------------------------------------------------------------------------

    def selected_block(self) -> TurnBlock | None:
        return self._by_id.get(self.selected_id) if self.selected_id else None

    def select(self, number: int) -> None:
        """Select the turn at `number` (clamped) and scroll it into view."""
        if not self._blocks:
            return
        number = max(0, min(len(self._blocks) - 1, number))
        self.selected_id = self._blocks[number].item_id
        start = self._starts[number]
        end = start + len(self._blocks[number].lines) - 1  # without the gap
        height = self.scrollable_content_region.height
        if start < self.scroll_y or end - start >= height:
            self.scroll_to(y=start, animate=False, immediate=True, force=True)
        elif end > self.scroll_y + height:
            self.scroll_to(y=end - height, animate=False, immediate=True, force=True)
        self.refresh()

    def _selected_number(self) -> int | None:
        block = self.selected_block()
        return None if block is None else self._blocks.index(block)

    def action_select_turn(self, step: int) -> None:
        number = self._selected_number()
        self.select(len(self._blocks) - 1 if number is None else number + step)

    def action_select_edge(self, edge: int) -> None:
        self.select(0 if edge == 0 else len(self._blocks) - 1)

    def on_focus(self) -> None:
        if self.selected_block() is None and self._blocks:
            self.select(len(self._blocks) - 1)
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: Click) -> None:
        index = int(self.scroll_y) + event.y
        if self._blocks and 0 <= index < self.line_count:
            self.selected_id = self._blocks[bisect_right(self._starts, index) - 1].item_id
            self.refresh()

    def action_copy_message(self) -> None:
        block = self.selected_block()
        if block is None:
            self.notify("Select a turn first (↑/↓ or a click).", timeout=2)
            return
        secrets = getattr(self.app, "configured_secrets", list)()  # redacted like the transcript (Ctrl+Y)
        self.app.copy_to_clipboard(redact_text(block.body, secrets))
        self.notify("Message copied to the clipboard (OSC 52)", timeout=2)
