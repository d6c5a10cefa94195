"""`rt-tui` as a user runs it: --help lists every subcommand; bad configuration is refused before any
connection with the variable to fix and exit code 2 (the TUI never starts)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONNECTION_VARIABLES = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT_NAME", "OPENAI_API_VERSION",
                        "AZURE_OPENAI_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "RT_TUI_PROVIDER", "RT_TUI_LOCAL")


def _rt_tui(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.touch()
    clean = {k: v for k, v in os.environ.items() if k not in CONNECTION_VARIABLES}
    return subprocess.run([sys.executable, "-m", "rt_tui.cli", *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env={**clean, "RT_TUI_CONFIG": str(config), **env})


def test_help_exits_zero_and_lists_every_subcommand(tmp_path: Path):
    result = _rt_tui(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("emulator", "replay", "devices", "doctor", "serve"):
        assert command in result.stdout
    assert "--local" in result.stdout


@pytest.mark.parametrize("args, env, variable, words", [
    (["--endpoint", "not-a-url"], {}, "--endpoint", "not an http(s) URL"),
    ([], {"AZURE_OPENAI_ENDPOINT": "https://my-res.openai.azure.com/openai/deployments"}, "AZURE_OPENAI_ENDPOINT",
     "path"),
    ([], {"AZURE_OPENAI_ENDPOINT": "https://my-res.openai.azure.com"}, "AZURE_OPENAI_DEPLOYMENT_NAME",
     "No Azure deployment"),
    ([], {"AZURE_OPENAI_ENDPOINT": "https://my-res.openai.azure.com", "AZURE_OPENAI_DEPLOYMENT_NAME": "rt",
          "OPENAI_API_VERSION": "latest"}, "OPENAI_API_VERSION", "unknown api-version form"),
])
def test_bad_configuration_exits_2_naming_what_to_fix(tmp_path: Path, args, env, variable, words):
    result = _rt_tui(tmp_path, *args, **env)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # no TUI was started
    first, fix = result.stderr.strip().splitlines()
    assert first.startswith("rt-tui: configuration error:") and words in first
    assert fix.strip() == f"fix: {variable}"
