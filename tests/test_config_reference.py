from __future__ import annotations

import argparse
import ast
import importlib.util
import re
from pathlib import Path

import pytest

from rt_tui.config import load_settings
from rt_tui.core.session import SessionConfig

ROOT = Path(__file__).resolve().parent.parent
ENV_NAME = re.compile(r"^(RT_TUI|AZURE|OPENAI)_[A-Z0-9_]+$")


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("gen_config_reference", ROOT / "scripts" / "gen_config_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_configuration_reference_is_up_to_date(generator):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert generator.splice(readme, generator.render()) == readme, (
        "README.md is out of date: run python scripts/gen_config_reference.py"
    )
    assert generator.main(["--check"]) == 0


def test_every_environment_variable_the_code_reads_is_documented(generator):
    section = generator.render()
    used = set()
    for path in (ROOT / "rt_tui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ENV_NAME.match(node.value):
                used.add(node.value)
    assert {"AZURE_OPENAI_ENDPOINT", "RT_TUI_CONFIG"} <= used
    assert sorted(name for name in used if f"`{name}`" not in section) == []


def test_every_session_setting_is_documented_with_its_default(generator):
    rows = "\n".join(generator.session_table())
    assert "| `turn_detection.threshold` | 0.0–1.0 | `0.5` |" in rows
    defaults = SessionConfig()
    assert f"| `voice` | " in rows and f'`"{defaults.voice}"`' in rows
    assert len(generator.session_fields(SessionConfig)) == len(generator.session_table()) - 2


def test_a_missing_meaning_fails_generation(generator, monkeypatch):
    monkeypatch.delitem(generator.SESSION_MEANINGS, "voice")
    with pytest.raises(SystemExit, match="'voice'"):
        generator.session_table()


def test_every_documented_file_key_is_accepted_by_the_config_loader(generator, tmp_path):
    keys = {name: file_key for name, (_, _, file_key) in generator.pick_calls().items()}
    assert keys["endpoint"] == "endpoint" and keys["model"] == "model"
    path = tmp_path / "config.toml"
    path.write_text(
        'provider = "local"\nlocal = true\nmodel = "gpt-realtime"\ntheme = "rt-ember"\n'
        '[keymap]\n"quit" = "ctrl+w"\n'
        '[session]\nvoice = "cedar"\n'
        '[profiles.emu]\nlocal = true\n[profiles.emu.session]\nvoice = "ash"\n',
        encoding="utf-8",
    )
    args = argparse.Namespace(config=str(path), profile="emu", local=False, model=None, endpoint=None,
                              api_version=None, record=None)
    settings = load_settings(args, env={})
    assert settings.target.provider == "local"
    assert settings.session["voice"] == "ash"
