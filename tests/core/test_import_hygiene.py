"""rt_tui.core never imports Textual: it must stay usable from a script and testable without a screen."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import rt_tui.core

CORE_MODULES = sorted(
    f"rt_tui.core.{info.name}" for info in pkgutil.iter_modules([str(Path(rt_tui.core.__file__).parent)])
)

# Imports every core module in a fresh interpreter while a finder records (and refuses) any import of
# textual, so a violation is caught even when it hides behind a try/except ImportError.
PROBE = r"""
import importlib, json, sys

attempts = []

class BlockTextual:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            attempts.append(name)
            raise ImportError(f"rt_tui.core must not import {name}")
        return None

sys.meta_path.insert(0, BlockTextual())
failures = {}
for name in ["rt_tui.core"] + json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception as exc:
        failures[name] = f"{type(exc).__name__}: {exc}"
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"attempts": attempts, "failures": failures, "loaded": loaded}))
"""


def test_core_modules_are_found():
    assert {"rt_tui.core.session", "rt_tui.core.dialect", "rt_tui.core.conversation",
            "rt_tui.core.export", "rt_tui.core.events"} <= set(CORE_MODULES)


def test_importing_core_does_not_import_textual():
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(CORE_MODULES)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["attempts"] == [], f"core tried to import textual: {report}"
    assert report["loaded"] == []
    assert report["failures"] == {}, report["failures"]


def test_the_probe_would_notice_textual():
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["textual.app"])],
                            capture_output=True, text=True, timeout=60)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["attempts"] == ["textual"] and "textual.app" in report["failures"]
