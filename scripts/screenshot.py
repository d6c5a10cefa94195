#!/usr/bin/env python3
"""Take the README's screenshot: the playground after one exchange with the local emulator, as SVG.

    python scripts/screenshot.py [OUT.svg] [--size 160x44]     (default docs/screenshot.svg)

Uses Textual's own screenshot facility on the real app, talking to a real emulator on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MESSAGE = "Hello! What can I try here?"


async def take(out: Path, size: tuple[int, int] = (160, 44), timeout: float = 60.0) -> Path:
    from rt_tui.config import Settings, resolve_target_for_emulator
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator
    from rt_tui.ui.app import make_app

    options = EmulatorOptions(host="127.0.0.1", port=0, first_delta_ms=30, text_delta_ms=5, realtime_factor=50.0,
                              ping_interval_s=None)
    async with Emulator(options) as emulator:
        app = make_app(Settings(target=resolve_target_for_emulator(emulator.url)), cursor_blink=False, audio=False)
        async with app.run_test(size=size) as pilot:
            await _wait(pilot, lambda: app.sessions_reflected >= 2, timeout, "the session to be configured")
            await pilot.press(*MESSAGE, "enter")

            def replied() -> bool:
                turns = [b.turn for b in app.conversation_pane.blocks() if b.turn.role == "assistant"]
                return bool(turns) and turns[-1].status == "completed"

            await _wait(pilot, replied, timeout, "the emulator's reply")
            app.flush_render()
            await pilot.pause(0.3)
            out.parent.mkdir(parents=True, exist_ok=True)
            app.save_screenshot(filename=out.name, path=str(out.parent))
    return out


async def _wait(pilot: Any, predicate: Callable[[], bool], timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SystemExit(f"screenshot: timed out waiting for {what}")
        await pilot.pause(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshot.svg"))
    parser.add_argument("--size", default="160x44", help="COLUMNSxROWS (default 160x44)")
    args = parser.parse_args(argv)
    columns, rows = (int(part) for part in args.size.lower().split("x"))
    print(asyncio.run(take(Path(args.out), (columns, rows))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
