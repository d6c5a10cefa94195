"""C libraries' stderr (PortAudio, ALSA) goes to a log file while the TUI runs; Python's stderr stays visible."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

ALSA_LINE = "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM vanished-device"

UNIT_CHILD = textwrap.dedent(
    f"""
    import ctypes, os, sys
    from pathlib import Path
    from rt_tui.stderr_log import stderr_to_log

    libc = ctypes.CDLL(None)
    line = b"{ALSA_LINE}\\n"
    with stderr_to_log(Path(sys.argv[1])) as log:
        libc.write(2, line, len(line))  # what PortAudio/ALSA do: C writes straight to fd 2
        print("python-level stderr during the run", file=sys.stderr, flush=True)
        print("textual draws on", "terminal" if sys.__stderr__ is sys.stderr else "?", file=sys.__stderr__, flush=True)
    libc.write(2, b"C after the run\\n", 16)
    raise RuntimeError("a crash after the TUI has exited")
    """
)


def test_fd2_goes_to_the_log_and_python_stderr_and_tracebacks_stay_visible(tmp_path: Path):
    log = tmp_path / "state" / "stderr.log"
    child = subprocess.run([sys.executable, "-c", UNIT_CHILD, str(log)], capture_output=True, text=True, timeout=60)
    assert child.returncode == 1
    assert log.read_text() == ALSA_LINE + "\n"  # only the C library's line
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    assert ALSA_LINE not in child.stderr
    assert "python-level stderr during the run" in child.stderr
    assert "textual draws on terminal" in child.stderr
    assert "C after the run" in child.stderr  # fd 2 restored
    assert "RuntimeError: a crash after the TUI has exited" in child.stderr


def test_a_large_old_log_is_started_afresh(tmp_path: Path):
    from rt_tui.stderr_log import MAX_LOG_BYTES, stderr_to_log

    log = tmp_path / "stderr.log"
    log.write_bytes(b"x" * (MAX_LOG_BYTES + 1))
    with stderr_to_log(log):
        os.write(2, b"fresh\n")
    assert log.read_bytes() == b"fresh\n"


APP_CHILD = textwrap.dedent(
    f"""
    import ctypes, sys
    from rt_tui.cli import build_parser
    from rt_tui.ui import app as app_module
    from rt_tui.ui.run import run

    original = app_module.RtTuiApp.on_mount

    def on_mount(self):
        original(self)

        def device_noise():
            line = b"{ALSA_LINE}\\n"
            ctypes.CDLL(None).write(2, line, len(line))
            self.notify("noise written")

        self.set_timer(1.0, device_noise)

    app_module.RtTuiApp.on_mount = on_mount
    sys.exit(run(build_parser().parse_args(["--local"])))
    """
)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_in_a_real_terminal_the_screen_stays_clean_and_the_log_is_named_on_exit(tmp_path: Path):
    script = tmp_path / "child.py"
    script.write_text(APP_CHILD, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.touch()
    exit_code = tmp_path / "exit-code"
    command = (f"env -u AZURE_OPENAI_ENDPOINT -u OPENAI_API_KEY -u RT_TUI_PROVIDER XDG_STATE_HOME={tmp_path / 'state'} "
               f"RT_TUI_CONFIG={shlex.quote(str(config))} {shlex.quote(sys.executable)} {shlex.quote(str(script))}; "
               f"echo $? > {shlex.quote(str(exit_code))}; sleep 60")
    socket = f"rt-tui-test-{uuid.uuid4().hex[:10]}"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10).stdout

    def wait_for(text: str, timeout: float = 40.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in (screen := tmux("capture-pane", "-p", "-t", "app")):
            assert time.monotonic() < deadline, f"{text!r} not on screen:\n{screen}"
            time.sleep(0.2)
        return screen

    try:
        tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "36", "-c", os.getcwd(), command)
        screen = wait_for("noise written")
        assert "ALSA lib" not in screen and "Unknown PCM" not in screen
        tmux("send-keys", "-t", "app", "C-q")
        screen = wait_for("messages from the audio libraries were written to")
        deadline = time.monotonic() + 10
        while not exit_code.exists():
            assert time.monotonic() < deadline, "no exit code"
            time.sleep(0.1)
        assert exit_code.read_text().strip() == "0"
    finally:
        tmux("kill-server")
    log = tmp_path / "state" / "rt-tui" / "stderr.log"
    assert ALSA_LINE in log.read_text()
    assert "stderr.log" in screen.replace("\n", "")
