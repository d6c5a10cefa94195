"""A minimal event list (direction, time, type) shown until the full inspector pane is installed."""

from __future__ import annotations

from typing import Any

from textual.widgets import Log

from rt_tui.core.events import Event


class EventTypeList(Log):
    ALLOW_MAXIMIZE = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_lines=2000, auto_scroll=True, **kwargs)
        self.border_title = "Events"

    def add_event(self, event: Event) -> None:
        arrow = "↑" if event.direction == "client" else "↓"
        self.write_line(f"{arrow} {event.t * 1000:8.0f} ms  {event.type}")
