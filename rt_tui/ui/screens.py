"""Modal screens: the configuration error screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfigErrorScreen(ModalScreen[None]):
    """Says what is wrong and which setting to fix; the app stays up (Esc to look around, Ctrl+Q to quit)."""

    BINDINGS = [Binding("escape", "dismiss", "Close", id="close_error")]

    def __init__(self, message: str, variable: str) -> None:
        super().__init__()
        self.message = message
        self.variable = variable

    def compose(self) -> ComposeResult:
        with Vertical(id="config-error"):
            yield Label("Configuration error", id="config-error-title")
            yield Static(self.message, id="config-error-message", markup=False)
            yield Static(f"Fix: {self.variable}", id="config-error-variable", markup=False)
            yield Static("Then restart rt-tui. Ctrl+Q quits; Esc closes this message.", classes="config-error-hint")
            yield Button("Close", id="config-error-close", compact=True)

    def on_button_pressed(self, _: Button.Pressed) -> None:
        self.dismiss()
