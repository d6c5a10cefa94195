""""View code": the session configuration as the exact `session.update` JSON and as a Python snippet.

Each tab can be copied (OSC 52) or saved to a file. The texts are made by `rt_tui/core/export.py`;
this screen only shows them.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TabbedContent, TabPane, TextArea

# tab id → (title, default file name)
TABS = {"json": ("session.update JSON", "session_update.json"), "python": ("Python (openai SDK)", "rt_tui_session.py")}


def stamped_path(directory: Path, stem: str, suffix: str) -> Path:
    """`directory/stem-YYYYmmdd-HHMMSS.suffix`, with -2, -3… when taken: two exports or recordings within
    one second must not overwrite each other."""
    base = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    for name in itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2))):
        path = directory / f"{name}{suffix}"
        if not path.exists():
            return path
    raise AssertionError("unreachable")


def write_text_file(path: Path, text: str) -> None:
    """Write atomically (a half-written export is worse than none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class CodeScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    CodeScreen { align: center middle; }
    CodeScreen #code-view { width: 90%; height: 90%; border: round $primary; background: $surface; padding: 0 1; }
    CodeScreen #code-title { color: $text-primary; text-style: bold; width: 1fr; }
    CodeScreen #code-tabs { height: 1fr; }
    CodeScreen TabPane { padding: 0; }
    CodeScreen TextArea { height: 1fr; }
    CodeScreen .code-actions { height: 1; margin-top: 1; }
    CodeScreen .code-actions Input { width: 1fr; margin: 0 1; }
    CodeScreen .code-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="code.close"),
        Binding("ctrl+b", "copy", "Copy this tab", id="code.copy"),
    ]

    def __init__(self, texts: dict[str, str], export_dir: Path, subtitle: str = "") -> None:
        super().__init__()
        self.texts = texts
        self.export_dir = export_dir
        self.subtitle = subtitle
        self.saved: dict[str, Path] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="code-view"):
            yield Label(f"View code — {self.subtitle}" if self.subtitle else "View code", id="code-title")
            with TabbedContent(id="code-tabs"):
                for key, (title, file_name) in TABS.items():
                    with TabPane(title, id=f"code-tab-{key}"):
                        yield TextArea(self.texts[key], id=f"code-{key}", read_only=True, soft_wrap=False)
                        with Horizontal(classes="code-actions"):
                            yield Button("Copy", id=f"code-copy-{key}", compact=True)
                            yield Input(str(self.export_dir / file_name), id=f"code-path-{key}", compact=True)
                            yield Button("Save", id=f"code-save-{key}", compact=True)
            yield Label("Esc closes · Ctrl+B copies the shown tab (OSC 52)", classes="code-hint")

    @property
    def active_key(self) -> str:
        return (self.query_one(TabbedContent).active or "code-tab-json").removeprefix("code-tab-")

    def action_copy(self) -> None:
        self.copy(self.active_key)

    def copy(self, key: str) -> None:
        self.app.copy_to_clipboard(self.texts[key])
        self.notify(f"Copied the {TABS[key][0]} (OSC 52).", timeout=3)

    def save(self, key: str) -> Path | None:
        raw = self.query_one(f"#code-path-{key}", Input).value.strip()
        if not raw:
            self.notify("Type a file name first.", severity="warning")
            return None
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = self.export_dir / path
        try:
            write_text_file(path, self.texts[key])
        except OSError as exc:
            self.notify(f"Not saved: {exc.strerror or exc}", severity="error", markup=False)
            return None
        self.saved[key] = path
        self.notify(f"Saved to {path}", timeout=5, markup=False)
        return path

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action, _, key = (event.button.id or "").removeprefix("code-").partition("-")
        if action == "copy":
            self.copy(key)
        elif action == "save":
            self.save(key)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save((event.input.id or "").removeprefix("code-path-"))
