"""Text updates that do not lay out the whole screen unless the widget's size really changes.

`Static.update` asks for a layout by default, and a layout in Textual reflows and repaints every widget
of the screen. During a flood of events (tokens, streamed transcripts) that cost dominated the app, so
widgets whose size cannot change repaint only themselves.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widgets import Static


def set_line(widget: Static, text: str) -> bool:
    """Show one line of text in a `width: auto` (or fixed-width) label; False when it was already shown.

    Lays out only when the text's width changes, as an auto-width label's size follows its text.
    """
    old = widget.content
    if isinstance(old, str) and old == text:
        return False
    same_width = isinstance(old, str) and cell_len(old) == cell_len(text) and "\n" not in text
    widget.update(text, layout=not same_width)
    return True



def set_virtual_height(view: ScrollView, height: int) -> None:
    """Give a line-drawn ScrollView a new number of lines without laying out the screen.

    `virtual_size` is a layout reactive: every change would reflow every widget. A line-drawn view only
    needs its scrollbars updated — its own size does not change as long as its scrollbar is always shown
    (`overflow-y: scroll`; a scrollbar appearing would still lay out, once).
    """
    size = Size(view.scrollable_content_region.width, height)
    if size == view.virtual_size:
        return
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)  # noqa: SLF001 — Textual's own scrollbar update, as its layout would call it
    view.refresh()
