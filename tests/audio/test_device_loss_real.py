"""A sound server that disappears mid-session: one line, no crash; once it is back, stop + start recovers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from audio_tool import TOOL, parse_exports

pytestmark = pytest.mark.audio

CHILD = textwrap.dedent(
    """
    import sys, time
    from rt_tui.core.audio import AudioEngine
    problems = []
    engine = AudioEngine(on_problem=problems.append)
    engine.start()
    print("READY", flush=True)
    sys.stdin.readline()  # the test stops the sound server, then says go
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and engine.check() is None:
        engine.play("item", bytes(4800))
        time.sleep(0.05)
    print("PROBLEM", engine.problem, flush=True)
    print("CALLBACKS", len(problems), flush=True)
    engine.stop()
    print("STOPPED", engine.problem, flush=True)
    sys.stdin.readline()  # the sound server is back
    engine.start()
    levels = []
    engine.play("again", bytes([0, 64]) * 24000)  # 0.5 full scale
    for _ in range(20):
        time.sleep(0.05)
        levels.append(engine.speaker_level.peak)
    print("RECOVERED", engine.check(), max(levels) > 0.4, flush=True)
    engine.stop()
    """
)


def test_audio_server_vanishing_mid_session_is_reported_not_fatal(tmp_path_factory):
    if shutil.which("pulseaudio") is None:
        pytest.skip("virtual audio: pulseaudio is not installed")
    state_dir = tmp_path_factory.mktemp("vanish")
    started = subprocess.run([str(TOOL), "start", str(state_dir)], capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        pytest.skip(f"virtual audio could not start: {started.stderr.strip().splitlines()[-1:]}")
    env = {**os.environ, **parse_exports(started.stdout)}
    child = subprocess.Popen([sys.executable, "-c", CHILD], env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: list[str] = []
    try:
        assert child.stdout.readline().strip() == "READY"
        subprocess.run([str(TOOL), "stop", str(state_dir)], capture_output=True, timeout=60, check=True)
        child.stdin.write("go\n")
        child.stdin.flush()
        for _ in range(3):
            lines.append(child.stdout.readline().strip())
        subprocess.run([str(TOOL), "start", str(state_dir)], capture_output=True, timeout=120, check=True)
        out, err = child.communicate("back\n", timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        subprocess.run([str(TOOL), "stop", str(state_dir)], capture_output=True, timeout=60)
    assert child.returncode == 0, err
    lines += out.splitlines()
    assert lines[0].startswith("PROBLEM the ") and "text chat still works" in lines[0], lines
    assert lines[1:] == ["CALLBACKS 1", "STOPPED None", "RECOVERED None True"], lines
