"""The sound server vanishes while the app is listening: one status-bar line, listening stops, text chat works.

The app runs in a child process (Pilot, embedded emulator) against a virtual PulseAudio of its own, so
stopping that server does not disturb the other audio tests' shared one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
from audio_tool import TOOL, parse_exports

pytestmark = pytest.mark.audio

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from rt_tui.config import Settings, Target
    from rt_tui.ui.app import make_app

    async def wait_for(pilot, predicate, timeout=20.0):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                return False
            await pilot.pause(0.05)
        return True

    def say(*words):
        print(*words, flush=True)

    async def main():
        app = make_app(Settings(target=Target("local", "", "gpt-realtime")), cursor_blink=False, audio=True)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.sessions_reflected >= 2)
            await pilot.press("f5")
            engine = app.host.voice.engine
            await wait_for(pilot, lambda: engine.microphone_open and (app.status_bar.mic_level is not None))
            say("READY", app.host.listening)
            await asyncio.to_thread(sys.stdin.readline)  # the test stops the sound server, then says go
            levels = app.query_one("#status-levels")
            shown = await wait_for(pilot, lambda: str(levels.render()).startswith("voice unavailable"))
            say("LINE", str(levels.render()) if shown else "none")
            say("NOTES", len([n for n in app._notifications if "Audio stopped" in n.message]))
            say("LISTENING", app.host.listening, app.query_one("#listen-button").label.plain)
            await pilot.press(*"hello", "enter")
            replied = await wait_for(pilot, lambda: any(t.role == "assistant" and t.status == "completed"
                                                        for t in app.conversation.turns), timeout=30)
            say("REPLIED", replied)

    asyncio.run(main())
    """
)


def test_sound_server_vanishing_under_the_app_is_one_line_and_text_chat_keeps_working(tmp_path_factory):
    if shutil.which("pulseaudio") is None:
        pytest.skip("virtual audio: pulseaudio is not installed")
    state_dir = tmp_path_factory.mktemp("app-vanish")
    started = subprocess.run([str(TOOL), "start", str(state_dir)], capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        pytest.skip(f"virtual audio could not start: {started.stderr.strip().splitlines()[-1:]}")
    env = {**os.environ, **parse_exports(started.stdout), "PULSE_SOURCE": "vmic.monitor"}
    env.pop("PULSE_SINK", None)
    child = subprocess.Popen([sys.executable, "-c", CHILD], env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready = child.stdout.readline().strip()
        assert ready == "READY True", ready + child.stderr.read() if child.poll() is not None else ready
        subprocess.run([str(TOOL), "stop", str(state_dir)], capture_output=True, timeout=60, check=True)
        out, err = child.communicate("go\n", timeout=90)
    finally:
        if child.poll() is None:
            child.kill()
        subprocess.run([str(TOOL), "stop", str(state_dir)], capture_output=True, timeout=60)
    assert child.returncode == 0, err[-3000:]
    lines = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    assert re.match(r"voice unavailable: the (input|output) audio (stream|device) ", lines["LINE"]), lines
    assert "text chat still works" in lines["LINE"]
    assert lines["NOTES"] == "1", lines  # one notification, not one per meter tick
    assert lines["LISTENING"] == "False Start listening", lines
    assert lines["REPLIED"] == "True", lines
