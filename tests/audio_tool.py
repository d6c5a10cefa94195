"""tools/virtual-audio from the tests' side: where it is and how to read what `start` prints.

Shared by tests/conftest.py (the session's virtual PulseAudio) and tests/audio/realaudio.py (tests that
start their own); tests/ is on sys.path for every test because tests/conftest.py lives there.
"""

from __future__ import annotations

import shlex
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent / "tools" / "virtual-audio"


def parse_exports(text: str) -> dict[str, str]:
    """The variables of `virtual-audio start`'s `export NAME='value'` lines; other lines are ignored."""
    env = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            env[name] = value
    return env
