"""`rt-tui --local` in a real terminal, as a user runs it: the installed command in tmux, keys typed, the
screen read back. The screen says it is the local emulator, instructions are applied (F2, Ctrl+S), a setting
is changed (Output: Text only), a typed message gets a text-only reply, Ctrl+Q exits 0."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from functools import partial
from pathlib import Path

import pytest

# A real terminal on a shared 2-core machine: a key can land before the app has settled, so two reruns.
pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
              pytest.mark.flaky(reruns=2, reruns_delay=1)]

CONNECTION_VARIABLES = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT_NAME", "OPENAI_API_VERSION",
                        "AZURE_OPENAI_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "RT_TUI_PROVIDER", "RT_TUI_LOCAL")


class Terminal:
    """One tmux server of our own (-L), so nothing else's sessions are seen or touched."""

    def __init__(self) -> None:
        self.socket = f"rt-tui-test-{uuid.uuid4().hex[:10]}"

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              timeout=10).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def wait_for(self, *words: str, timeout: float = 40.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if all(word in text for word in words):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{words} not on screen after {timeout} s:\n{text}")
            time.sleep(0.2)

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal():
    term = Terminal()
    yield term
    term.close()


def _command(tmp_path: Path) -> str:
    config = tmp_path / "config.toml"
    config.touch()
    script = Path(sys.executable).with_name("rt-tui")
    app = [str(script)] if script.exists() else [sys.executable, "-m", "rt_tui.cli"]
    unset = " ".join(f"-u {name}" for name in CONNECTION_VARIABLES)
    return (f"env {unset} RT_TUI_CONFIG={shlex.quote(str(config))} {shlex.join([*app, '--local'])}; "
            f"echo $? > {shlex.quote(str(tmp_path / 'exit-code'))}")


def test_local_app_in_a_terminal_chats_and_quits_with_ctrl_q(terminal: Terminal, tmp_path: Path):
    terminal.tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "36", "-c", os.getcwd(), _command(tmp_path))
    terminal.wait_for("LOCAL EMULATOR", "not a model", "connected", "Type a message")
    _apply_instructions_and_choose_text_output(terminal)
    terminal.tmux("send-keys", "-t", "app", "C-o")  # back to the message input
    terminal.tmux("send-keys", "-t", "app", "-l", "what can you do")
    terminal.tmux("send-keys", "-t", "app", "Enter")
    screen = terminal.wait_for("what can you do", "greetings", "latency")
    assert "error" not in screen.lower()
    assert "Assistant" in screen and "(voice)" not in screen  # the settings change reached the server
    terminal.tmux("send-keys", "-t", "app", "C-q")
    exit_code = tmp_path / "exit-code"
    deadline = time.monotonic() + 20
    while not exit_code.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert exit_code.exists(), f"Ctrl+Q did not end the app:\n{terminal.screen()}"
    assert exit_code.read_text().strip() == "0"


def _apply_instructions_and_choose_text_output(terminal: Terminal) -> None:
    """F2 → type instructions → Ctrl+S until "applied"; then Tab to the Output select and pick "Text only"."""
    keys = partial(terminal.tmux, "send-keys", "-t", "app")
    time.sleep(1.0)  # let the first screen settle before the first key
    keys("F2")
    time.sleep(0.3)
    keys("-l", "Answer in one short sentence.")
    terminal.wait_for("edited")
    keys("C-s")
    terminal.wait_for("sentence.", "✓ applied")  # the editor wraps at 80 columns
    for _ in range(4):  # auto-apply checkbox, the settings form, Voice, Output
        keys("Tab")
        time.sleep(0.2)
    keys("Enter")
    terminal.wait_for("Text only")  # the Output list is open
    keys("Down")
    keys("Enter")
    deadline = time.monotonic() + 10
    while "Audio (+ transcript)" in terminal.screen():
        assert time.monotonic() < deadline, f"Output did not change:\n{terminal.screen()}"
        time.sleep(0.2)
    terminal.wait_for("Text only")
    # The Select refocuses itself once its menu has closed: wait for that before moving focus elsewhere.
    deadline = time.monotonic() + 10
    while "Dismiss menu" in terminal.screen():
        assert time.monotonic() < deadline, f"the Output menu did not close:\n{terminal.screen()}"
        time.sleep(0.2)
    time.sleep(0.5)
