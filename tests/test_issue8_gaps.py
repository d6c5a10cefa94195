"""Issue 8 audit: the promises the first tests did not pin down, checked as a user meets them."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.dom import DOMNode

import rt_tui
from rt_tui.config import Settings, Target
from rt_tui.doctor import run_checks
from rt_tui.emulator.options import EmulatorOptions
from rt_tui.emulator.server import Emulator

NO_PORTAUDIO = "import ctypes.util; ctypes.util.find_library = lambda name: None\n"


def rt_tui_command(*argv: str, prelude: str = "", tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`rt-tui ARGV` in its own process, without the host's configuration; `prelude` runs first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "OPENAI_", "RT_TUI_"))}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    code = f"{prelude}import sys\nfrom rt_tui.cli import main\nsys.exit(main({list(argv)!r}))\n"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=90)


async def test_startup_problems_are_shown_word_for_word_not_read_as_markup(tmp_path):
    from textual.widgets._toast import Toast

    from rt_tui.ui.app import make_app

    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"no_such_binding" = "f6"\n', encoding="utf-8")
    app = make_app(Settings(target=Target("local", "", "gpt-realtime"), config_path=config), connect=False,
                   cursor_blink=False, audio=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        shown = [Toast(note).render().plain for note in app._notifications]
    assert any("problem(s) in [keymap]" in text and "'no_such_binding'" in text for text in shown), shown


def test_every_binding_in_rt_tui_has_an_id_and_a_description():
    """The keymap remaps by id: a Binding without one (in any widget, not only the app) cannot be remapped."""
    from textual.binding import Binding

    for module in pkgutil.walk_packages(rt_tui.__path__, "rt_tui."):
        if not module.name.startswith("rt_tui.emulator"):
            importlib.import_module(module.name)
    declared = [(cls.__qualname__, binding) for cls in _subclasses(DOMNode) if cls.__module__.startswith("rt_tui.")
                for binding in vars(cls).get("BINDINGS", [])]
    for owner, binding in declared:
        assert isinstance(binding, Binding) and binding.id and binding.description, f"{owner}: {binding}"
    assert len(declared) >= 20  # the app's, the inspector's, the conversation's …


def _subclasses(base: type) -> list[type]:
    found, pending = [], list(base.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.audio
@pytest.mark.usefixtures("virtual_audio")
def test_devices_command_lists_the_devices_and_24k_mono_support(tmp_path):
    result = rt_tui_command("devices", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and any("default input (24 kHz mono ok)" in line for line in lines), lines
    assert any("default output (24 kHz mono ok)" in line for line in lines), lines
    assert all(" Hz " in line for line in lines)  # every device with its default sample rate


def test_devices_command_without_portaudio_says_so_in_one_line(tmp_path):
    result = rt_tui_command("devices", prelude=NO_PORTAUDIO, tmp_path=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "Audio unavailable: PortAudio is not available (install libportaudio2): PortAudio library not found"]
    assert result.stderr == ""


def test_doctor_without_portaudio_fails_audio_with_the_fix_and_text_still_passes(tmp_path):
    result = rt_tui_command("doctor", "--local", prelude=NO_PORTAUDIO, tmp_path=tmp_path)
    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert [line[0] for line in lines[:4]] == ["✓"] * 4
    assert lines[4].startswith("✗ audio: PortAudio is not available (install libportaudio2)"), lines
    assert "(fix: install PortAudio: sudo apt-get install libportaudio2" in lines[4] and "text chat works" in lines[4]


async def test_doctor_wrong_openai_key_is_an_auth_failure_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    wrong = "sk-wrong-0123456789abcdefghij"
    async with Emulator(EmulatorOptions(api_key="right-key-0123456789")) as emu:
        env = {"OPENAI_API_KEY": wrong, "OPENAI_BASE_URL": emu.url.replace("ws://", "http://") + "/v1"}
        checks = {check.name: check for check in await run_checks(None, env, audio=False)}
    assert checks["endpoint"].status == "ok"
    auth = checks["auth"]
    assert auth.status == "fail" and auth.line().startswith("✗ auth:")
    assert auth.detail.endswith("Check OPENAI_API_KEY.") and ".." not in auth.detail
    assert all(wrong not in check.line() for check in checks.values())


INHERITING = """\
# shared settings
[session]
voice = "cedar"            # every profile talks like this
[session.turn_detection]
type = "semantic_vad"

[profiles.lab]
local = true
"""


async def test_saved_profile_loads_back_as_saved_even_where_the_top_level_session_differs(tmp_path):
    """A profile's [session] overlays the file's [session]: settings back at their defaults must be written."""
    import argparse

    from textual.app import App

    from rt_tui.config import load_settings
    from rt_tui.core.session import SessionConfig
    from rt_tui.profile_commands import ProfileCommands

    config = tmp_path / "config.toml"
    config.write_text(INHERITING, encoding="utf-8")
    args = argparse.Namespace(config=str(config), profile="lab", local=False, model=None, endpoint=None,
                              api_version=None, record=None)
    loaded = SessionConfig.model_validate(load_settings(args, env={}).session)
    assert loaded.voice == "cedar" and loaded.turn_detection.type == "semantic_vad"
    wanted = loaded.updated({"voice": "marin", "turn_detection.type": "server_vad", "instructions": "Hi."})

    class Host(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.settings = load_settings(args, env={})
            self.desired = wanted

    app = Host()
    async with app.run_test():
        ProfileCommands(app.screen)._save("lab")
    assert SessionConfig.model_validate(load_settings(args, env={}).session) == wanted
    text = config.read_text(encoding="utf-8")
    assert "# every profile talks like this" in text and 'voice = "cedar"' in text  # the shared table untouched


async def test_a_priority_binding_remapped_to_a_typing_key_is_reported_and_typing_still_works(tmp_path):
    from textual.widgets import Input

    from rt_tui.ui.app import make_app

    config = tmp_path / "config.toml"
    # push-to-talk is built for a typing key (it lets the key through unless the message box is empty)
    config.write_text('[keymap]\n"quit" = "q"\n"push_to_talk" = "grave_accent"\n', encoding="utf-8")
    app = make_app(Settings(target=Target("local", "", "gpt-realtime"), config_path=config), connect=False,
                   cursor_blink=False, audio=False)
    async with app.run_test(size=(160, 48)) as pilot:
        notes = "\n".join(str(note.message) for note in app._notifications)
        assert "'q' types text, and 'quit' works even while you type" in notes
        await pilot.press(*"queue")
        await pilot.pause()
        assert app.is_running and app.query_one("#message-input", Input).value == "queue"
        assert app.active_bindings["ctrl+q"].binding.id == "quit"  # the default stays
        assert "push_to_talk" not in notes, notes
        assert app._keymap.get("push_to_talk") == "grave_accent" and "quit" not in app._keymap  # what was applied


class StandInEntra:
    """Plays Entra's part (issues a token); the azure-identity token provider and the socket are the real code."""

    def __init__(self, token: str) -> None:
        self.token, self.calls = token, 0

    async def get_token(self, *scopes: str, **kwargs: object):
        from azure.core.credentials import AccessToken

        self.calls += 1
        return AccessToken(self.token, int(__import__("time").time()) + 3600)

    async def close(self) -> None:
        pass


async def test_doctor_with_keyless_azure_acquires_an_entra_token_and_passes(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    token = "entra-token-0123456789abcdef"
    credential = StandInEntra(token)
    async with Emulator(EmulatorOptions(api_key=token)) as emu:  # accepts exactly `Authorization: Bearer <token>`
        env = {"AZURE_OPENAI_ENDPOINT": emu.url.replace("ws://", "http://"),
               "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-realtime"}
        checks = await run_checks(None, env, credential=credential, audio=False)
    assert all(check.status == "ok" for check in checks), [check.line() for check in checks]
    assert "Microsoft Entra ID token acquired and accepted" in checks[2].line() and credential.calls == 1
    assert all(token not in check.line() for check in checks)


async def test_the_readme_keymap_example_applies_to_the_real_app_without_problems():
    """Copying the README's [keymap] example must not produce a conflict (a new binding can take its keys)."""
    import re
    import tomllib

    from rt_tui.keymap import binding_scopes, check_keymap
    from rt_tui.ui.app import make_app

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```toml\n(.*?)```", readme, re.S) if "[keymap]" in block)
    keymap = tomllib.loads(example)["keymap"]
    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False, audio=False)
    async with app.run_test(size=(160, 48)):
        problems, applied = check_keymap(keymap, binding_scopes(app))
    assert [problem.message for problem in problems] == [] and applied.keys() == keymap.keys()


def test_the_user_themes_folder_is_beside_the_default_config_file():
    from rt_tui.preferences import default_config_path
    from rt_tui.themes import user_themes_dir

    assert user_themes_dir() == default_config_path().parent / "themes"
