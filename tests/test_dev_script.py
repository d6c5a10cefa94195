"""dev.py (the README's two commands) on a Python whose venv cannot install pip (Debian/Ubuntu without
python3-venv): one clear message naming the package, and no half-made .venv left to fail again later."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_dev_copy(where: Path):
    shutil.copy(ROOT / "dev.py", where / "dev.py")
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    spec = importlib.util.spec_from_file_location("dev_copy", where / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_ensurepip_is_one_clear_message_and_leaves_no_venv(tmp_path: Path, monkeypatch, capsys):
    dev = _load_dev_copy(tmp_path)
    assert dev.VENV == tmp_path / ".venv"

    def no_ensurepip(self, context):  # what `python -m ensurepip` does there: exit status 1
        raise subprocess.CalledProcessError(1, [context.env_exec_cmd, "-m", "ensurepip"])

    monkeypatch.setattr(dev.venv.EnvBuilder, "_setup_pip", no_ensurepip)
    with pytest.raises(SystemExit) as exited:
        dev.main(["test"])
    assert "sudo apt-get install python3-venv" in str(exited.value.code)
    assert not (tmp_path / ".venv").exists()
