"""The one reader of `tools/virtual-audio` export lines, used by the session fixture and the device-loss tests."""

from __future__ import annotations

import subprocess

import pytest
from audio_tool import TOOL, parse_exports


def test_export_lines_are_read_with_shell_quoting_and_other_lines_ignored():
    text = ("export VIRTUAL_AUDIO_DIR='/tmp/my audio'\n"
            "virtual-audio: warning: sinks did not settle to low latency\n"
            "export PULSE_SERVER='unix:/tmp/my audio/runtime/native'\n"
            "export BROKEN\n")
    assert parse_exports(text) == {"VIRTUAL_AUDIO_DIR": "/tmp/my audio",
                                   "PULSE_SERVER": "unix:/tmp/my audio/runtime/native"}


@pytest.mark.audio
def test_session_audio_env_is_what_the_running_tool_reports(virtual_audio):
    shown = subprocess.run([str(TOOL), "env", virtual_audio["VIRTUAL_AUDIO_DIR"]], capture_output=True,
                           text=True, timeout=60, check=True)
    assert parse_exports(shown.stdout) == virtual_audio
    assert {"PULSE_SERVER", "PULSE_RUNTIME_PATH", "PULSE_CLIENTCONFIG", "PULSE_COOKIE"} <= set(virtual_audio)
