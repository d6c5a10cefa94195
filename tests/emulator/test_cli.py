"""`rt-tui emulator` as a user runs it: subprocess, first line, TLS, unchanged SDK client scripts, signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

CLIENTS = Path(__file__).parent / "clients"
KEY = "emulator-test-key"


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "emulator", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    return proc, first


def _stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.fixture(scope="module")
def tls_emulator():
    proc, first = _start("--tls", "--api-key", KEY, "--realtime-factor", "100")
    match = re.search(r"(wss://127\.0\.0\.1:\d+) \(CA certificate: (\S+)\)", first)
    assert match, first
    yield match.group(1), match.group(2)
    assert _stop(proc) == 0
    assert not os.path.exists(match.group(2)), "the CA file is removed on exit"


def _run_client(script: str, url: str, ca: str, key: str = KEY, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    https = url.replace("wss", "https")
    full_env = {**os.environ, "SSL_CERT_FILE": ca, "AZURE_OPENAI_ENDPOINT": https, "AZURE_OPENAI_API_KEY": key,
                "EMULATOR_HTTPS": https, "KEY": key, **env}
    return subprocess.run([sys.executable, str(CLIENTS / script)], input=stdin, capture_output=True, text=True,
                          env=full_env, timeout=60)


def test_azure_quickstart_runs_unchanged_against_tls_emulator(tls_emulator):
    result = _run_client("azure_quickstart.py", *tls_emulator, stdin="Hello!\nq\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the GA server rejects the quickstart's update (no session.type); the default audio output follows
    assert "Error: missing_required_parameter" in out
    assert re.search(r"Received text delta: Hello!", out)
    sizes = [int(n) for n in re.findall(r"Received (\d+) bytes of audio data\.", out)]
    assert sizes[:3] == [4800, 7200, 12000]


@pytest.mark.parametrize("route", ["v1", "azure"])
def test_ga_client_on_ga_routes(tls_emulator, route):
    result = _run_client("openai_ga.py", *tls_emulator, ROUTE=route)
    assert result.returncode == 0, result.stderr
    assert "Session updated." in result.stdout
    assert "Received text delta: Hello!" in result.stdout
    assert "Received 4800 bytes of audio data." in result.stdout


def test_preview_api_version_speaks_beta(tls_emulator):
    result = _run_client("azure_preview.py", *tls_emulator)
    assert result.returncode == 0, result.stderr
    assert "Session updated: ['audio', 'text']" in result.stdout
    assert "Received text delta: Hello!" in result.stdout
    assert "Received 4800 bytes of audio data." in result.stdout


def test_wrong_key_is_refused_with_401(tls_emulator):
    result = _run_client("azure_quickstart.py", *tls_emulator, key="wrong", stdin="q\n")
    assert result.returncode != 0
    assert "401" in result.stderr


def test_plain_emulator_first_line_and_sigint_exit_zero():
    proc, first = _start("--port", "0")
    assert re.search(r"ws://127\.0\.0\.1:\d+", first), first
    assert _stop(proc, signal.SIGINT) == 0


def test_non_loopback_host_needs_allow_remote():
    result = subprocess.run([sys.executable, "-m", "rt_tui.cli", "emulator", "--host", "0.0.0.0"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "--allow-remote" in result.stderr


def test_bad_script_file_is_a_clear_error(tmp_path):
    script = tmp_path / "rules.toml"
    script.write_text("[[rules]]\npattern = 'x'\n")
    result = subprocess.run([sys.executable, "-m", "rt_tui.cli", "emulator", "--script", str(script)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "needs exactly one of 'reply' or 'tool'" in result.stderr


def test_help_lists_emulator_flags():
    result = subprocess.run([sys.executable, "-m", "rt_tui.cli", "emulator", "--help"], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0
    for flag in ("--tls", "--api-key", "--dialect", "--realtime-factor", "--script", "--drop-after", "--seed"):
        assert flag in result.stdout


def test_fault_flags_reach_the_server():
    import asyncio
    import json as _json

    import websockets
    from websockets.asyncio.client import connect as ws_connect

    proc, first = _start("--drop-after", "2", "--close-code", "1011", "--seed", "5")
    url = re.search(r"ws://\S+", first).group(0)

    async def talk() -> tuple[int, int]:
        frames = 0
        async with ws_connect(f"{url}/v1/realtime?model=gpt-realtime") as ws:
            await ws.recv()
            frames += 1
            await ws.send(_json.dumps({"type": "input_audio_buffer.clear"}))
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
                    frames += 1
            except websockets.ConnectionClosed as closed:
                return frames, closed.rcvd.code

    try:
        assert asyncio.run(talk()) == (2, 1011)
    finally:
        assert _stop(proc) == 0


def test_the_cli_emulator_keeps_no_event_or_session_history():
    """A CI run of hours must not grow: `received`/`sent`/`sessions` are for in-process tests only."""
    import argparse

    from rt_tui.emulator.cli import add_arguments, options_from_args

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert options_from_args(parser.parse_args([])).record_events is False
