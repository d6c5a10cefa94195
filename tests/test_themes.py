from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from rt_tui import themes
from rt_tui.themes import DEFAULT_THEME, ThemeError, choose_theme, load_theme_file, load_themes, register_themes

GOOD = """\
# a user's theme
name = "my-sea"
dark = false
[colors]
primary = "#004488"
background = "#fafafa"
[variables]
"footer-key-foreground" = "#004488"
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_builtin_theme_file_loads_and_generates_its_colors():
    files = sorted(themes.builtin_themes_dir().glob("*.toml"))
    assert len(files) >= 4
    names = set()
    for path in files:
        theme = load_theme_file(path)
        names.add(theme.name)
        generated = theme.to_color_system().generate()
        assert generated["primary"].startswith("#")
    assert DEFAULT_THEME in names


def test_good_user_file_becomes_a_theme(tmp_path):
    theme = load_theme_file(write(tmp_path, "sea.toml", GOOD))
    assert theme.name == "my-sea"
    assert theme.dark is False
    assert theme.primary == "#004488"
    assert theme.variables == {"footer-key-foreground": "#004488"}


@pytest.mark.parametrize(
    ("text", "field", "reason_part"),
    [
        ('name = "x"\n[colors]\nprimary = "blurple"\n', "colors.primary", "not a colour"),
        ('name = "x"\n[colors]\nprimary = "#fff"\nshiny = "#000"\n', "colors.shiny", "unknown colour"),
        ('[colors]\nprimary = "#fff"\n', "name", "required"),
        ('name = "Bad Name"\n[colors]\nprimary = "#fff"\n', "name", "lowercase"),
        ('name = "x"\ndark = "yes"\n[colors]\nprimary = "#fff"\n', "dark", "true or false"),
        ('name = "x"\ntext_alpha = 3\n[colors]\nprimary = "#fff"\n', "text_alpha", "0 to 1"),
        ('name = "x"\n', "colors.primary", "required"),
        ('name = "x"\ncolour = 1\n[colors]\nprimary = "#fff"\n', "colour", "unknown field"),
        ('name = "x"\n[colors]\nprimary = "#fff"\n[variables]\n"a b" = "x"\n', "variables.a b", "CSS variable"),
        ('name = "x\n[colors', "(syntax)", "not valid TOML"),
    ],
)
def test_broken_file_names_the_file_and_the_field(tmp_path, text, field, reason_part):
    path = write(tmp_path, "broken.toml", text)
    with pytest.raises(ThemeError) as caught:
        load_theme_file(path)
    assert caught.value.field == field
    assert reason_part in caught.value.reason
    assert str(path) in str(caught.value) and field in str(caught.value)


def test_catalog_skips_broken_files_with_one_message_and_lets_users_override(tmp_path):
    user = tmp_path / "user"
    write(user, "a-good.toml", GOOD)
    write(user, "b-broken.toml", 'name = "oops"\n[colors]\nprimary = 12\n')
    write(user, "c-override.toml", f'name = "{DEFAULT_THEME}"\n[colors]\nprimary = "#123456"\n')
    write(user, "d-dup.toml", GOOD)
    catalog = load_themes([themes.builtin_themes_dir(), user])
    assert "my-sea" in catalog.themes and "oops" not in catalog.themes
    assert catalog.themes[DEFAULT_THEME].primary == "#123456"
    assert [error.path.name for error in catalog.errors] == ["b-broken.toml", "d-dup.toml"]
    message = catalog.message()
    assert "2 theme file(s)" in message and "b-broken.toml: colors.primary" in message
    assert "already defined" in message


def test_missing_user_folder_is_not_an_error(tmp_path):
    catalog = load_themes([tmp_path / "nowhere"])
    assert catalog.themes == {} and catalog.errors == []


class ThemeHost(App[None]):
    CSS = "Static { background: $primary; color: $foreground; }"

    def compose(self) -> ComposeResult:
        yield Static("hello", id="swatch")


async def test_registered_themes_are_usable_and_a_broken_choice_falls_back(tmp_path):
    user = tmp_path / "themes"
    write(user, "sea.toml", GOOD)
    write(user, "broken.toml", 'name = "broken-one"\n[colors]\nprimary = "nope"\n')
    app = ThemeHost()
    async with app.run_test() as pilot:
        catalog = register_themes(app, user_dir=user)
        assert {"my-sea", DEFAULT_THEME, "rt-daylight"} <= set(app.available_themes)
        assert choose_theme(app, "my-sea") is None
        await pilot.pause()
        assert app.theme == "my-sea"
        swatch = app.query_one("#swatch")
        assert swatch.styles.background.hex.upper() == "#004488"

        message = choose_theme(app, "broken-one")
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        assert message is not None and "broken-one" in message
        assert "broken.toml: colors.primary" in catalog.message()
        expected = load_theme_file(themes.builtin_themes_dir() / f"{DEFAULT_THEME}.toml").primary
        assert swatch.styles.background.hex.upper() == expected.upper()


def test_every_builtin_theme_defines_every_variable_the_ui_uses():
    ui = Path(__file__).resolve().parent.parent / "rt_tui" / "ui"
    used = set()
    for path in [*ui.rglob("*.tcss"), *ui.rglob("*.py")]:
        used |= set(re.findall(r"\$([a-z][a-z0-9-]*)", path.read_text(encoding="utf-8")))
    assert "primary" in used
    for path in sorted(themes.builtin_themes_dir().glob("*.toml")):
        defined = load_theme_file(path).to_color_system().generate()
        assert sorted(used - set(defined)) == [], path.name
