#!/usr/bin/env python3
"""Set up and run rt-tui with nothing but Python and pip.

    python3 dev.py run [rt-tui args…]   create .venv if needed, install, launch the app
    python3 dev.py test [pytest args…]  create .venv if needed, install with test deps, run the tests

The virtual environment is rebuilt only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_venv() -> None:
    """One environment for both commands (test extras included), so switching never reinstalls."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / ".rt-tui-installed"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv …", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except subprocess.CalledProcessError:
            shutil.rmtree(VENV, ignore_errors=True)  # a .venv without pip would fail again, less clearly
            sys.exit("dev.py: could not install pip into .venv (ensurepip failed). On Debian/Ubuntu install "
                     "Python's venv support first: sudo apt-get install python3-venv")
    print("dev.py: installing rt-tui and its test dependencies into .venv …", flush=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], check=True)
    stamp.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__.strip())
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        ensure_venv()
        os.execv(str(BIN / "rt-tui"), [str(BIN / "rt-tui"), *rest])
    ensure_venv()
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
