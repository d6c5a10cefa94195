"""Text updates that do not lay out the whole screen unless the widget's size really changes.

`Static.update` asks for a layout by default, and a layout in Textual reflows and repaints every widget
of the screen. During a flood of events (tokens, streamed transcripts) that cost dominated the app, so
widgets whose size cannot change repaint only themselves.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.geometry import Region, Size
from textual.widgets import Static

_NO_SIZE = Size(0, 0)


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


def set_wrapped(widget: Static, text: str) -> bool:
    """Show wrapping text in a widget of fixed width and `height: auto`; False when it was already shown.

    Lays out only when the wrapped text needs a different number of lines (a streamed reply grows by a
    line now and then, not with every word).
    """
    old = widget.content
    if isinstance(old, str) and old == text:
        return False
    width, height = Region(0, 0, *widget.outer_size).shrink(widget.styles.gutter).size
    widget.update(text, layout=False)
    if not widget.display or width <= 0 or not widget.is_mounted:
        widget.refresh(layout=True)
    elif widget.get_content_height(_NO_SIZE, _NO_SIZE, width) != height:
        widget.refresh(layout=True)
    return True
