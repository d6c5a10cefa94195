"""Themes as data: TOML files turned into Textual `Theme`s.

Built-in themes live in the repository's top-level `themes/` folder (shipped in the wheel as
`rt_tui/themes_data`); users add their own in `<platform config dir>/rt-tui/themes`. A user theme with the
name of a built-in one replaces it. A broken file is skipped with one message naming the file and the field.

File format (every colour accepts anything Textual's `Color.parse` does)::

    name = "my-theme"          # required, lowercase letters, digits and dashes
    dark = true                # optional, default true
    luminosity_spread = 0.15   # optional, 0..1
    text_alpha = 0.95          # optional, 0..1

    [colors]                   # primary required; the others optional
    primary = "#3aa0ff"
    secondary = "#5c6bc0"      # also: accent warning error success foreground background surface panel boost

    [variables]                # optional: overrides of Textual CSS variables, e.g. "footer-key-foreground"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import tomlkit
from textual.color import Color, ColorParseError
from textual.theme import Theme

if TYPE_CHECKING:
    from textual.app import App

DEFAULT_THEME = "rt-midnight"
FALLBACK_THEME = "textual-dark"  # Textual's own, in case the built-in files are missing from an install

COLOR_FIELDS = (
    "primary", "secondary", "accent", "warning", "error", "success",
    "foreground", "background", "surface", "panel", "boost",
)
TOP_LEVEL_FIELDS = {"name", "dark", "luminosity_spread", "text_alpha", "colors", "variables"}
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
VARIABLE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")


class ThemeError(Exception):
    """A theme file that cannot be used: which file, which field, why."""

    def __init__(self, path: Path, field: str, reason: str) -> None:
        super().__init__(f"{path}: {field}: {reason}")
        self.path = path
        self.field = field
        self.reason = reason


@dataclass
class ThemeCatalog:
    """Every theme that loaded, by name, and one error per file that did not."""

    themes: dict[str, Theme] = field(default_factory=dict)
    errors: list[ThemeError] = field(default_factory=list)

    def message(self) -> str:
        """One user-facing message for all broken files ('' when none)."""
        if not self.errors:
            return ""
        lines = [f"{len(self.errors)} theme file(s) could not be loaded and were skipped:"]
        lines += [f"  {error}" for error in self.errors]
        return "\n".join(lines)


def builtin_themes_dir() -> Path:
    packaged = Path(__file__).parent / "themes_data"  # installed wheel (hatch force-include)
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes"  # source checkout / editable install


def user_themes_dir() -> Path:
    """`themes` beside the default config file (appauthor=False as in rt_tui.config: on Windows the default
    would add a second `rt-tui` folder)."""
    return Path(platformdirs.user_config_dir("rt-tui", appauthor=False)) / "themes"


def load_theme_file(path: Path) -> Theme:
    """Parse and validate one theme file; raises `ThemeError` naming the first bad field."""
    try:
        data: Any = tomlkit.parse(path.read_text(encoding="utf-8")).unwrap()
    except OSError as exc:
        raise ThemeError(path, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    except (tomlkit.exceptions.ParseError, UnicodeDecodeError) as exc:
        raise ThemeError(path, "(syntax)", f"not valid TOML: {exc}") from None
    return theme_from_data(path, data)


def theme_from_data(path: Path, data: dict[str, Any]) -> Theme:
    unknown = sorted(set(data) - TOP_LEVEL_FIELDS)
    if unknown:
        allowed = ", ".join(sorted(TOP_LEVEL_FIELDS))
        raise ThemeError(path, unknown[0], f"unknown field (allowed: {allowed})")
    name = data.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ThemeError(path, "name", "required; lowercase letters, digits and dashes, e.g. \"my-theme\"")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(path, "dark", f"must be true or false, not {dark!r}")
    numbers = {key: _fraction(path, data, key) for key in ("luminosity_spread", "text_alpha") if key in data}
    return Theme(
        name=name,
        dark=dark,
        variables=_variables(path, data.get("variables", {})),
        **_colors(path, data.get("colors")),
        **numbers,
    )


def _fraction(path: Path, data: dict[str, Any], key: str) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ThemeError(path, key, f"must be a number from 0 to 1, not {value!r}")
    return float(value)


def _colors(path: Path, colors: Any) -> dict[str, str]:
    if not isinstance(colors, dict) or "primary" not in colors:
        raise ThemeError(path, "colors.primary", "required: a [colors] table with at least primary = \"#rrggbb\"")
    for key, value in colors.items():
        if key not in COLOR_FIELDS:
            raise ThemeError(path, f"colors.{key}", f"unknown colour (allowed: {', '.join(COLOR_FIELDS)})")
        _check_color(path, f"colors.{key}", value)
    return dict(colors)


def _variables(path: Path, variables: Any) -> dict[str, str]:
    if not isinstance(variables, dict):
        raise ThemeError(path, "variables", "must be a table of CSS variable names to values")
    for key, value in variables.items():
        if not VARIABLE_PATTERN.match(key):
            raise ThemeError(path, f"variables.{key}", "not a CSS variable name (lowercase letters, digits, dashes)")
        if not isinstance(value, str) or not value.strip():
            raise ThemeError(path, f"variables.{key}", f"must be a non-empty string, not {value!r}")
    return dict(variables)


def _check_color(path: Path, field_name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ThemeError(path, field_name, f"must be a colour string like \"#3aa0ff\", not {value!r}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(path, field_name, f"{value!r} is not a colour (try \"#rrggbb\" or a name like \"teal\")") from None


def load_themes(folders: list[Path]) -> ThemeCatalog:
    """Load every `*.toml` in `folders` in order; later folders override earlier ones by theme name."""
    catalog = ThemeCatalog()
    for folder in folders:
        seen_here: dict[str, Path] = {}
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                theme = load_theme_file(path)
            except ThemeError as error:
                catalog.errors.append(error)
                continue
            if theme.name in seen_here:
                catalog.errors.append(ThemeError(path, "name", f"{theme.name!r} is already defined by {seen_here[theme.name]}"))
                continue
            seen_here[theme.name] = path
            catalog.themes[theme.name] = theme
    return catalog


def register_themes(app: App[Any], user_dir: Path | None = None) -> ThemeCatalog:
    """Register built-in and user themes with `app`; the caller shows `catalog.message()` if any."""
    return register_theme_folders(app, [builtin_themes_dir(), user_dir if user_dir is not None else user_themes_dir()])


def register_theme_folders(app: App[Any], folders: list[Path]) -> ThemeCatalog:
    catalog = load_themes(folders)
    for theme in catalog.themes.values():
        app.register_theme(theme)
    return catalog


def choose_theme(app: App[Any], wanted: str | None) -> str | None:
    """Switch `app` to `wanted`, or to the default when it is unset or unknown.

    Returns a message for the user when `wanted` could not be used, else None.
    """
    available = app.available_themes
    default = DEFAULT_THEME if DEFAULT_THEME in available else FALLBACK_THEME
    if wanted and wanted in available:
        app.theme = wanted
        return None
    app.theme = default
    if wanted:
        return f"Theme {wanted!r} is not available (missing or broken file); using {default!r}."
    return None
