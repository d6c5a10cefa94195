from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request

import pytest

from rt_tui.cli import build_parser
from rt_tui.serve import DEFAULT_HOST, app_command, build_server, exposure_warning


def test_command_runs_this_python_with_the_app_flags_quoted():
    args = argparse.Namespace(host="127.0.0.1", port=0, local=True, model="gpt realtime", endpoint=None,
                              api_version=None, config="/tmp/my config.toml", profile="dev", record="x.jsonl")
    argv = shlex.split(app_command(args))
    assert argv[:3] == [sys.executable, "-m", "rt_tui.cli"]
    assert argv[3:] == ["--local", "--model", "gpt realtime", "--config", "/tmp/my config.toml", "--profile", "dev"]
    assert "--record" not in argv  # every tab is its own process: one shared recording file would be clobbered


def test_cli_serve_defaults_to_loopback():
    args = build_parser().parse_args(["serve"])
    assert args.host == DEFAULT_HOST == "127.0.0.1"
    server = build_server(argparse.Namespace(host=args.host, port=0))
    assert server.host == "127.0.0.1" and server.port > 0
    assert server.public_url == f"http://127.0.0.1:{server.port}"
    assert shlex.split(server.command)[:3] == [sys.executable, "-m", "rt_tui.cli"]


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_hosts_need_no_warning(host):
    assert exposure_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "my-box.example"])
def test_other_hosts_are_warned_about(host):
    warning = exposure_warning(host)
    assert warning is not None and host in warning and "credentials" in warning


def test_rt_tui_serve_answers_with_the_browser_page(tmp_path):
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "RT_TUI_CONFIG": str(tmp_path / "none.toml")}
    process = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "serve", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    try:
        url = _wait_for_url(process)
        page = urllib.request.urlopen(url + "/", timeout=10).read().decode()
        assert url.replace("http://", "ws://") + "/ws" in page
        assert "rt-tui" in page
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_url(process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 30
    seen = []
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
        if match:
            return match.group(1)
    raise AssertionError("rt-tui serve did not start:\n" + "".join(seen))
