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
        used |= environment_reads(ast.parse(path.read_text(encoding="utf-8")))
    assert {"AZURE_OPENAI_ENDPOINT", "OPENAI_API_KEY", "RT_TUI_CONFIG"} <= used
    assert sorted(name for name in used if f"`{name}`" not in section) == []


def environment_reads(tree: ast.AST) -> set[str]:
    """Names passed to env.get / os.getenv / env[...] / pick(...): variables read, not merely mentioned."""
    names = set()
    for node in ast.walk(tree):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("get", "getenv", "pick"):
                candidates = list(node.args)
        elif isinstance(node, ast.Subscript):
            candidates = [node.slice]
        names |= {c.value for c in candidates if isinstance(c, ast.Constant) and isinstance(c.value, str)
                  and ENV_NAME.match(c.value)}
    return names


def test_every_session_setting_is_documented_with_its_default(generator):
    rows = "\n".join(generator.session_table())
    assert "| `turn_detection.threshold` | 0.0–1.0 | `0.5` |" in rows
    defaults = SessionConfig()
    assert "| `voice` | " in rows and f'`"{defaults.voice}"`' in rows
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
