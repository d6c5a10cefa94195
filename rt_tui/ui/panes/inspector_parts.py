"""Small parts of the inspector pane: filter completion, a cheap status line, the detail view's content."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group
from rich.json import JSON
from rich.text import Text
from textual.suggester import Suggester
from textual.widget import Widget

from rt_tui.core.event_types import ALL_EVENT_TYPES
from rt_tui.core.event_view import Row
from rt_tui.core.eventlog import LogRecord
from rt_tui.core.sdk_code import sdk_call_code
from rt_tui.ui.panes.inspector_rows import human_size

FILTER_WORDS: tuple[str, ...] = (
    "dir:client", "dir:server", "id:",
    *sorted({t.split(".")[0] + ".*" for t in ALL_EVENT_TYPES if "." in t}), "*.delta", "*.done",
    *ALL_EVENT_TYPES,
)


class FilterSuggester(Suggester):
    """Completes the last word of the filter with a known event type, a wildcard or a keyword."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(" ")
        if not last:
            return None
        for word in FILTER_WORDS:
            if word.startswith(last) and word != last:
                return f"{head} {word}" if head else word
        return None


class StatusLine(Widget):
    """One line of text; updating it repaints only itself (a Static would re-layout the whole screen)."""

    DEFAULT_CSS = "StatusLine { height: 1; width: 1fr; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = ""

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> str:
        return self.text



def detail_renderable(row: Row | LogRecord, record: LogRecord) -> Group:
    event = record.event
    arrow = "↑ sent" if event.direction == "client" else "↓ received"
    title = f"{arrow} {event.type} · {event.t * 1000:,.0f} ms · {human_size(event.size)} · #{record.seq + 1:,}"
    if row.grouped:
        title += f"\nevent {row.index_of(record) + 1:,} of a run of {row.count:,} (space expands or collapses)"
    parts: list[Any] = [Text(title, style="bold"), JSON(json.dumps(event.payload, ensure_ascii=False), indent=2)]
    if event.direction == "client":
        parts += [Text("\nPython SDK (k copies):", style="bold"), Text(sdk_call_code(event.payload))]
    return Group(*parts)
