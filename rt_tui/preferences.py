"""The user's look and feel on a running app: themes, the persisted theme choice, the keymap.

One call from the app's `on_mount`::

    for message in apply_preferences(self, config_path):
        self.notify(message, severity="warning", timeout=10)

Reads `theme` and `[keymap]` from the config file, registers built-in themes and the user's (the `themes`
folder next to the config file, e.g. ~/.config/rt-tui/themes/), switches to the
saved theme (or the default), applies the keymap, and from then on writes every theme change back to the
file (comments kept). Returns the user-facing problems instead of raising: a broken preference never stops
the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from rt_tui.keymap import apply_user_keymap, describe_problems
from rt_tui.profiles import ProfileError, read_document, save_theme_choice
from rt_tui.themes import builtin_themes_dir, choose_theme, register_theme_folders

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme


def default_config_path() -> Path:
    """Where the config file lives when none was given (the file may not exist yet)."""
    return Path(platformdirs.user_config_dir("rt-tui", appauthor=False)) / "config.toml"


def apply_preferences(app: App[Any], config_path: Path | None, *, user_themes: Path | None = None,
                      persist_theme: bool = True) -> list[str]:
    """`config_path` None means "no file yet": a real run then uses (and later creates) the default file; a
    headless run (tests) touches no file at all, so the host's preferences never leak into tests or back."""
    path = config_path or (None if app.is_headless else default_config_path())
    messages: list[str] = []
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = read_document(path).unwrap()
        except ProfileError as error:
            messages.append(str(error))
    if user_themes is None and path is not None:
        user_themes = path.parent / "themes"
    folders = [builtin_themes_dir(), *([user_themes] if user_themes else [])]
    messages.append(register_theme_folders(app, folders).message())
    saved_theme = data.get("theme") if isinstance(data.get("theme"), str) else None
    messages.append(choose_theme(app, saved_theme) or "")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        messages.append(f"{path}: keymap: must be a table of binding id = \"keys\"")
        keymap = {}
    messages.append(describe_problems(apply_user_keymap(app, keymap)))
    if persist_theme and path is not None:
        remember_theme_changes(app, path, saved_theme)
    return [message for message in messages if message]


def remember_theme_changes(app: App[Any], path: Path, saved: str | None) -> None:
    """Write `theme = "…"` to the config file whenever the user picks another theme."""
    last = {"name": saved or app.theme}

    def on_theme_changed(theme: Theme) -> None:
        if theme.name == last["name"]:
            return
        try:
            save_theme_choice(path, theme.name)
        except (ProfileError, OSError) as error:
            app.notify(f"Theme not saved: {error}", severity="warning", markup=False)
            return
        last["name"] = theme.name

    app.theme_changed_signal.subscribe(app, on_theme_changed)
