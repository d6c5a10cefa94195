from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
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


def test_cli_serve_takes_the_app_flags_and_passes_them_on():
    args = build_parser().parse_args(["serve", "--port", "0", "--local", "--profile", "dev", "--api-version", "2025-08-28"])
    argv = shlex.split(app_command(args))
    assert argv[3:] == ["--local", "--api-version", "2025-08-28", "--profile", "dev"]


def test_bad_configuration_is_reported_before_serving(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rt_tui.cli", "serve", "--port", "0", "--config",
                             str(tmp_path / "missing.toml")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "missing.toml does not exist" in result.stderr


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


async def test_rt_tui_serve_answers_with_the_browser_page_and_runs_the_app_per_tab(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("local = true\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "RT_TUI_CONFIG": str(config)}
    process = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "serve", "--port", "0", "--local"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    try:
        url = await asyncio.to_thread(_wait_for_url, process)
        page = await asyncio.to_thread(_get, url + "/")
        assert url.replace("http://", "ws://") + "/ws" in page
        assert "rt-tui" in page
        screen = await _first_screen(url.replace("http://", "ws://") + "/ws?width=100&height=30", b"LOCAL EMULATOR")
        assert b"\x1b[" in screen  # a terminal stream: the app itself is running behind the page
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _first_screen(ws_url: str, expected: bytes, timeout: float = 60.0) -> bytes:
    """What a browser tab receives until `expected` appears on the app's screen."""
    import aiohttp

    received = b""

    async def collect(websocket: aiohttp.ClientWebSocketResponse) -> None:
        nonlocal received
        while expected not in received:
            message = await websocket.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                received += message.data
            elif message.type == aiohttp.WSMsgType.TEXT:
                received += message.data.encode()
            else:
                raise AssertionError(f"the app's websocket ended ({message.type}) before showing {expected!r}")

    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as websocket:
        await asyncio.wait_for(collect(websocket), timeout)
    return received


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


def _get(url: str) -> str:
    """The server announces its URL on startup, a moment before the socket listens: retry briefly."""
    deadline = time.monotonic() + 15
    while True:
        try:
            return urllib.request.urlopen(url, timeout=10).read().decode()
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
