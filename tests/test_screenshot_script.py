from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def test_readme_screenshot_script_shows_a_real_exchange(tmp_path):
    spec = importlib.util.spec_from_file_location("screenshot", ROOT / "scripts" / "screenshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = await module.take(tmp_path / "shot.svg", size=(120, 36))
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "What&#160;can&#160;I&#160;try&#160;here?" in svg  # the message typed
    assert "local&#160;emulator" in svg  # the emulator's reply and status
