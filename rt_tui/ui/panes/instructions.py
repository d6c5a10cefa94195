"""Instructions editor; shows whether the text on screen is applied, pending, edited or rejected."""

from __future__ import annotations

from typing import Any, Literal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Label, TextArea

ApplyState = Literal["applied", "edited", "pending", "rejected"]

# Short: the state line is ~22 columns next to the auto-apply box; the tooltip says it in full.
_STATE_TEXT = {
    "applied": "✓ applied",
    "edited": "● edited (Ctrl+S)",
    "pending": "… pending",
    "rejected": "✗ rejected",
}
_STATE_TOOLTIP = {
    "applied": "The text on screen is the session's instructions (confirmed by session.updated).",
    "edited": "Not applied yet: Ctrl+S sends it (or turn on auto-apply).",
    "pending": "Sent in a session.update; waiting for the server's session.updated.",
    "rejected": "The server refused the update",
}


class InstructionsPane(Vertical):
    """TextArea + state line. The app owns applying; the pane only reports and displays."""

    ALLOW_MAXIMIZE = True

    class Edited(Message):
        """The text changed while auto-apply is on: the app applies it after an idle delay."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Instructions"
        self.applied_text = text
        self.state: ApplyState = "applied"
        self.editor = TextArea(text, id="instructions-editor", soft_wrap=True, show_line_numbers=False,
                               placeholder="How should the assistant behave? Ctrl+S applies.")
        self.state_label = Label("", id="instructions-state", markup=False)  # shows the server's reason
        self.autoapply = Checkbox("auto-apply", False, id="instructions-autoapply", compact=True,
                                  tooltip="Apply the instructions after a pause in typing "
                                  "(autoapply_delay_ms in the config file; default 2000)")

    def compose(self) -> ComposeResult:
        yield self.editor
        with Horizontal(id="instructions-footer"):
            yield self.state_label
            yield self.autoapply

    def on_mount(self) -> None:
        self._show_state("applied")

    @property
    def text(self) -> str:
        return self.editor.text

    def load(self, text: str) -> None:
        """Replace the editor's text (a preset); it is then "edited" until applied."""
        self.editor.load_text(text)
        self._refresh_edited()

    def mark_pending(self) -> None:
        self._show_state("pending")

    def mark_rejected(self, reason: str) -> None:
        self._show_state("rejected", reason)
        # The state line cuts a long server message; the notification shows all of it.
        self.notify(reason, title="Instructions rejected", severity="error", timeout=10, markup=False)

    def reflect_server(self, server_text: str) -> None:
        """`session.updated` arrived: the server's instructions become the applied baseline.

        Unapplied edits stay in the editor (they are the user's work); otherwise the editor shows the
        server's text exactly.
        """
        had_edits = self.editor.text != self.applied_text and self.state != "pending"
        self.applied_text = server_text
        if not had_edits and self.editor.text != server_text:
            self.editor.load_text(server_text)
        if self.state == "rejected" and self.editor.text != server_text:
            return
        self._refresh_edited()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self.state != "pending":
            self._refresh_edited()
        if self.editor.text != self.applied_text and self.autoapply.value:
            self.post_message(self.Edited())

    def _refresh_edited(self) -> None:
        self._show_state("applied" if self.editor.text == self.applied_text else "edited")

    def _show_state(self, state: ApplyState, reason: str = "") -> None:
        self.state = state
        for name in _STATE_TEXT:
            self.state_label.set_class(name == state, f"-{name}")
        text = _STATE_TEXT[state]
        self.state_label.update(f"{text}: {reason}" if reason else text)
        self.state_label.tooltip = Content(f"{_STATE_TOOLTIP[state]}: {reason}" if reason else _STATE_TOOLTIP[state])
