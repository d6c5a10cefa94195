"""The inspector's virtual list: renders only the visible rows of an `EventView`, however many there are."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from rt_tui.core.event_view import EventView, Row
from rt_tui.core.eventlog import LogRecord
from rt_tui.ui.widgets.text_updates import set_virtual_height

Line = tuple[Row | LogRecord, int | None]  # a row, or one member (index) of an expanded run
Anchor = tuple[Row | LogRecord, LogRecord | None, int]  # the cursor's row, member and row index when last seen


def human_size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} KB"
    return f"{n / 1_000_000:.1f} MB"


def _ids(record: LogRecord) -> str:
    return " ".join(i for i in (record.item_id, record.response_id) if i)


def row_text(row: Row | LogRecord) -> str:
    arrow = "↑" if row.direction == "client" else "↓"
    first = row.first
    label = row.type
    if row.grouped:
        label += f" ×{row.count:,}, {row.duration_s:.1f} s"
    size = human_size(row.total_size)
    return f"{arrow} {first.t * 1000:>9,.0f} ms {size:>8}  {label}  {_ids(first)}"


def member_text(record: LogRecord, index: int) -> str:
    payload = record.payload
    delta = payload.get("delta", payload.get("audio", ""))
    return f"    #{index + 1:<5} {record.t * 1000:>9,.0f} ms {human_size(record.size):>8}  {delta!r}"


class EventRows(ScrollView, can_focus=True):
    """Keyboard/mouse navigable rows; the pane owns the data and calls `reload()` after each batch."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "event-rows--cursor", "event-rows--error", "event-rows--client", "event-rows--group", "event-rows--member",
    }
    DEFAULT_CSS = """
    EventRows { height: 1fr; overflow-x: hidden; overflow-y: scroll; }
    EventRows > .event-rows--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    EventRows:blur > .event-rows--cursor { background: $block-cursor-blurred-background; }
    EventRows > .event-rows--error { color: $text-error; text-style: bold; }
    EventRows > .event-rows--client { color: $text-accent; }
    EventRows > .event-rows--group { text-style: italic; }
    EventRows > .event-rows--member { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Previous event", id="inspector.cursor_up", show=False),
        Binding("down", "cursor(1)", "Next event", id="inspector.cursor_down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="inspector.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="inspector.page_down", show=False),
        Binding("home", "jump_start", "First event", id="inspector.first", show=False),
        Binding("end", "jump_end", "Last event", id="inspector.last", show=False),
    ]

    class CursorMoved(Message):
        def __init__(self, by_user: bool) -> None:
            super().__init__()
            self.by_user = by_user

    def __init__(self, view: EventView, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view = view
        self.expanded: set[int] = set()  # id() of expanded runs
        self.cursor = 0
        # expanded runs with their row index, in row order: lines are rows with these runs' members
        # inlined, found by arithmetic (no list of lines, however long an expanded run grows)
        self._expansions: list[tuple[int, Row | LogRecord]] = []
        self._cursor_anchor: Anchor | None = None
        self._styles: dict[tuple[str, ...], Style] = {}  # combined component styles, until CSS changes

    # ---- model ----------------------------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        return len(self.view.rows) + sum(row.count for _, row in self._expansions)

    def line_at(self, index: int) -> Line:
        extra = 0
        for row_index, row in self._expansions:
            header = row_index + extra
            if index <= header:
                break
            if index <= header + row.count:
                return row, index - header - 1
            extra += row.count
        return self.view.rows[index - extra], None

    def line_of(self, row_index: int, member: int | None = None) -> int:
        """The line index of row `row_index` (or of its `member`, when expanded)."""
        extra = sum(row.count for index, row in self._expansions if index < row_index)
        return row_index + extra + (0 if member is None else member + 1)

    def selected(self) -> tuple[Row | LogRecord, LogRecord] | None:
        if not 0 <= self.cursor < self.line_count:
            return None
        row, member = self.line_at(self.cursor)
        return row, row.record(member or 0)

    def reload(self, follow: bool) -> None:
        """Pick up changed rows (new, grown, trimmed); keep the cursor on its row unless following."""
        self._locate_expansions()
        count = self.line_count
        set_virtual_height(self, count)  # no screen layout per batch
        if follow:
            self.cursor = max(0, count - 1)
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        elif self._cursor_anchor is not None:
            self.cursor = self._find(self._cursor_anchor, fallback=min(self.cursor, max(0, count - 1)))
        self._remember_cursor()
        self.refresh()

    def _remember_cursor(self) -> None:
        """Note the cursor's (row, member, row index), to find it again after rows drop off the front."""
        if not 0 <= self.cursor < self.line_count:
            self._cursor_anchor = None
            return
        row, member = self.line_at(self.cursor)
        extra = 0
        for row_index, expanded in self._expansions:
            if row_index + extra >= self.cursor or expanded is row:
                break
            extra += expanded.count
        member_record = None if member is None else row.record(member)  # indexes shift when a run is trimmed
        self._cursor_anchor = (row, member_record, self.cursor - extra - (0 if member is None else member + 1))

    def _row_index(self, row: Row | LogRecord, last_index: int) -> int | None:
        """Where `row` is now: rows only leave at the front (ring drops), so it is at or before `last_index`."""
        rows = self.view.rows
        for index in range(min(last_index, len(rows) - 1), -1, -1):
            if rows[index] is row:
                return index
        return None

    def _locate_expansions(self) -> None:
        if not self.expanded:
            self._expansions = []
            return
        known = {id(row): (index, row) for index, row in self._expansions}
        located = []
        for row_id in self.expanded:
            last_index, row = known.get(row_id, (len(self.view.rows) - 1, None))
            if row is None:
                row = next((r for r in self.view.rows if id(r) == row_id), None)
            index = None if row is None else self._row_index(row, last_index)
            if index is not None:
                located.append((index, row))
        self._expansions = sorted(located, key=lambda pair: pair[0])
        self.expanded = {id(row) for _, row in self._expansions}

    def _find(self, anchor: Anchor, fallback: int) -> int:
        row, member_record, last_index = anchor
        index = self._row_index(row, last_index)
        if index is None:
            return fallback
        member = None
        if member_record is not None and id(row) in self.expanded:
            try:
                member = row.index_of(member_record)
            except ValueError:  # the member itself fell off the ring: its run's first line
                member = None
        return self.line_of(index, member)

    def toggle_expand(self) -> None:
        selected = self.selected()
        if selected is None or not selected[0].grouped:
            return
        row = selected[0]
        self._remember_cursor()
        assert self._cursor_anchor is not None
        row_index = self._cursor_anchor[2]
        self.expanded ^= {id(row)}
        if id(row) in self.expanded:
            self._expansions = sorted([*self._expansions, (row_index, row)], key=lambda pair: pair[0])
        else:
            self._expansions = [(i, r) for i, r in self._expansions if r is not row]
        self.cursor = self.line_of(row_index)
        self._cursor_anchor = (row, None, row_index)
        self.reload(follow=False)

    # ---- rendering ------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= self.line_count:
            return Strip.blank(width, self._style())
        row, member = self.line_at(index)
        if member is None:
            text = ("▸ " if row.grouped and id(row) not in self.expanded else "▾ " if row.grouped else "  ") + row_text(row)
        else:
            text = member_text(row.record(member), member)
        style = self._style_for(row, member, index == self.cursor)
        strip = Strip([Segment(text, style)])
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def notify_style_update(self) -> None:
        self._styles.clear()  # theme or CSS changed
        super().notify_style_update()

    def _style(self, *parts: str) -> Style:
        style = self._styles.get(parts)
        if style is None:
            style = self.rich_style
            for part in parts:
                style += self.get_component_rich_style(f"event-rows--{part}")
            self._styles[parts] = style
        return style

    def _style_for(self, row: Row | LogRecord, member: int | None, cursor: bool) -> Style:
        if member is not None:
            parts = ["member"]
        else:
            parts = [name for name, on in (("client", row.direction == "client"), ("group", row.grouped),
                                           ("error", row.is_error)) if on]
        if cursor:
            parts.append("cursor")
        return self._style(*parts)

    # ---- navigation -----------------------------------------------------------------------------------

    def move_cursor(self, index: int, by_user: bool = True) -> None:
        count = self.line_count
        if not count:
            return
        self.cursor = max(0, min(count - 1, index))
        self._remember_cursor()
        height = self.scrollable_content_region.height
        if self.cursor < self.scroll_y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= self.scroll_y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True, force=True)
        self.refresh()
        self.post_message(self.CursorMoved(by_user))

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump_start(self) -> None:
        self.move_cursor(0)

    def action_jump_end(self) -> None:
        self.move_cursor(self.line_count - 1)

    def on_click(self, event: Click) -> None:
        if event.y >= 0:
            self.move_cursor(int(self.scroll_y) + event.y)
