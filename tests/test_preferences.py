from __future__ import annotations

import argparse
import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from rt_tui.config import Settings, load_settings
from rt_tui.core.session import SessionConfig
from rt_tui.preferences import apply_preferences
from rt_tui.profile_commands import ProfileCommands
from rt_tui.profiles import read_profiles, read_theme_choice
from rt_tui.themes import DEFAULT_THEME

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG = """\
# my rt-tui settings
theme = "my-sea"   # picked last week

[keymap]
"say_hello" = "f6"
"no_such_action" = "f7"

# targets
[profiles.emu]
local = true   # the emulator

[profiles.work]
provider = "azure"
endpoint = "https://work.openai.azure.com"
deployment = "rt"
api_key_env = "WORK_KEY"   # exported in .bashrc
"""
SEA = 'name = "my-sea"\n[colors]\nprimary = "#004488"\n'


class PreferencesHost(App[None]):
    BINDINGS = [Binding("f5", "hello", "Hello", id="say_hello")]
    COMMANDS = {ProfileCommands}

    def __init__(self, settings: Settings, user_themes: Path) -> None:
        super().__init__()
        self.settings = settings
        self.user_themes = user_themes
        self.desired = SessionConfig().updated({"voice": "cedar", "turn_detection.threshold": 0.65})
        self.messages: list[str] = []
        self.hellos = 0
        self.switched: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("host")

    def on_mount(self) -> None:
        # user themes default to the `themes` folder next to the config file (tmp_path/themes here)
        self.messages = apply_preferences(self, self.settings.config_path)

    def action_hello(self) -> None:
        self.hellos += 1

    def switch_profile(self, name: str) -> None:
        self.switched.append(name)


def make_host(tmp_path: Path, profile: str | None = None, env: dict[str, str] | None = None) -> PreferencesHost:
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text(CONFIG, encoding="utf-8")
    themes = tmp_path / "themes"
    themes.mkdir(exist_ok=True)
    (themes / "sea.toml").write_text(SEA, encoding="utf-8")
    (themes / "broken.toml").write_text('name = "broken"\n[colors]\nprimary = "#12"\n', encoding="utf-8")
    args = argparse.Namespace(config=str(config), profile=profile, local=False, model=None, endpoint=None,
                              api_version=None, record=None)
    return PreferencesHost(load_settings(args, env=env or {}), themes)


async def test_saved_theme_and_keymap_apply_and_theme_changes_persist(tmp_path):
    app = make_host(tmp_path)
    async with app.run_test() as pilot:
        assert app.theme == "my-sea"
        text = "\n".join(app.messages)
        assert "broken.toml: colors.primary" in text
        assert "'no_such_action': no binding has this id" in text
        await pilot.press("f6", "f5")
        await pilot.pause()
        assert app.hellos == 1

        app.theme = "rt-ember"
        await pilot.pause()
        config = tmp_path / "config.toml"
        assert read_theme_choice(config) == "rt-ember"
        assert "# picked last week" in config.read_text(encoding="utf-8")
        assert "# exported in .bashrc" in config.read_text(encoding="utf-8")


async def test_unknown_saved_theme_falls_back_to_the_default(tmp_path):
    (tmp_path / "config.toml").write_text(CONFIG.replace('"my-sea"', '"broken"'), encoding="utf-8")
    app = make_host(tmp_path)
    async with app.run_test():
        assert app.theme == DEFAULT_THEME
        assert any("'broken' is not available" in message for message in app.messages)


async def run_palette(pilot, app: App, query: str) -> None:
    """Open the command palette, type `query`, wait for the first hit, run it."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)
    await wait_until(pilot, lambda: app.screen.query_one(OptionList).option_count > 0
                     and query.split()[-1] in str(app.screen.query_one(OptionList).get_option_at_index(0).prompt))
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))
    await pilot.pause()


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {predicate}")


async def test_palette_saves_current_settings_to_a_new_profile(tmp_path):
    app = make_host(tmp_path, profile="work", env={"WORK_KEY": "secret-123"})
    async with app.run_test() as pilot:
        await run_palette(pilot, app, "office")
        config = tmp_path / "config.toml"
        await wait_until(pilot, lambda: "office" in read_profiles(config))
        office = read_profiles(config)["office"]
        assert (office.provider, office.endpoint, office.deployment) == ("azure", "https://work.openai.azure.com", "rt")
        assert office.api_key_env == "WORK_KEY"
        assert office.session == {"voice": "cedar", "turn_detection": {"threshold": 0.65}}
        text = config.read_text(encoding="utf-8")
        assert "secret-123" not in text and "# the emulator" in text
        assert tomllib.loads(text)["profiles"]["emu"] == {"local": True}


async def test_palette_switches_profile_through_the_app(tmp_path):
    app = make_host(tmp_path, profile="work", env={"WORK_KEY": "k"})
    async with app.run_test() as pilot:
        await run_palette(pilot, app, "switch to emu")
        await wait_until(pilot, lambda: app.switched)
        assert app.switched == ["emu"]


class BareHost(App[None]):
    def on_mount(self) -> None:
        self.messages = apply_preferences(self, None)


async def test_without_a_config_file_a_headless_app_reads_and_writes_nothing(tmp_path, monkeypatch):
    default = tmp_path / "home" / "rt-tui" / "config.toml"
    default.parent.mkdir(parents=True)
    default.write_text('theme = "rt-ember"\n', encoding="utf-8")
    monkeypatch.setattr("rt_tui.preferences.default_config_path", lambda: default)
    app = BareHost()
    async with app.run_test() as pilot:
        assert app.theme == DEFAULT_THEME and app.messages == []
        app.theme = "rt-daylight"
        await pilot.pause()
    assert default.read_text(encoding="utf-8") == 'theme = "rt-ember"\n'


async def test_the_playground_app_applies_preferences_and_saves_profiles(tmp_path):
    from rt_tui.config import Target
    from rt_tui.ui.app import make_app

    config = tmp_path / "config.toml"
    config.write_text('# mine\ntheme = "rt-daylight"\n\n[keymap]\n"toggle_listening" = "f6"\n"quit" = "ctrl+w"\n',
                      encoding="utf-8")
    settings = Settings(target=Target("local", "", "gpt-realtime"), config_path=config)
    app = make_app(settings, connect=False, cursor_blink=False)
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.theme == "rt-daylight"
        notes = "\n".join(str(note.message) for note in app._notifications)
        assert "'f6' would trigger both 'reconnect' and 'toggle_listening'" in notes
        assert app.active_bindings["ctrl+w"].binding.id == "quit" and "ctrl+q" not in app.active_bindings
        assert app.active_bindings["f5"].binding.id == "toggle_listening"  # the conflicting remap was not applied
        await run_palette(pilot, app, "lab")
        await wait_until(pilot, lambda: "lab" in read_profiles(config))
        saved = read_profiles(config)["lab"]
        assert saved.local is True and saved.model == "gpt-realtime"
        assert "# mine" in config.read_text(encoding="utf-8")
