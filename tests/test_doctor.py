"""`rt-tui doctor` against the real emulator: all ✓ when right, ✗ with the fix when not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rt_tui.doctor import run_checks
from rt_tui.emulator.options import EmulatorOptions
from rt_tui.emulator.server import Emulator, EmulatorThread

KEY = "doctor-key-0123456789abcdef"
WRONG = "wrong-key-fedcba9876543210"


def azure_env(url: str, key: str, **extra: str) -> dict[str, str]:
    return {"AZURE_OPENAI_ENDPOINT": url.replace("ws://", "http://"), "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-realtime",
            "AZURE_OPENAI_API_KEY": key, **extra}


def by_name(checks) -> dict[str, tuple[str, str]]:
    return {c.name: (c.status, c.detail) for c in checks}


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.mark.parametrize(("api_version", "dialect"), [(None, "GA"), ("2025-08-28", "GA"),
                                                      ("2025-04-01-preview", "beta")])
async def test_all_checks_pass_against_the_emulator(api_version: str | None, dialect: str):
    async with Emulator(EmulatorOptions(api_key=KEY)) as emu:
        env = azure_env(emu.url, KEY, **({"OPENAI_API_VERSION": api_version} if api_version else {}))
        checks = await run_checks(None, env, audio=False)
    assert [c.name for c in checks] == ["configuration", "endpoint", "auth", "session"]
    assert all(c.status == "ok" for c in checks), [c.line() for c in checks]
    assert f"{dialect} dialect as expected" in by_name(checks)["session"][1]
    assert all(c.line().startswith("✓ ") for c in checks)


async def test_wrong_key_is_an_auth_failure_with_the_fix_and_never_shows_the_key():
    async with Emulator(EmulatorOptions(api_key=KEY)) as emu:
        checks = await run_checks(None, azure_env(emu.url, WRONG), audio=False)
    results = by_name(checks)
    assert results["endpoint"][0] == "ok" and "HTTP 401" in results["endpoint"][1]
    assert results["auth"][0] == "fail"
    assert "Access denied" in results["auth"][1] and "Check AZURE_OPENAI_API_KEY" in results["auth"][1]
    assert results["session"][0] == "skip"
    assert all(WRONG not in c.line() and KEY not in c.line() for c in checks)


async def test_dialect_mismatch_is_reported_with_the_fix():
    async with Emulator(EmulatorOptions(api_key=KEY, dialect="beta")) as emu:  # a server that only speaks beta
        checks = await run_checks(None, azure_env(emu.url, KEY), audio=False)
    status, detail = by_name(checks)["session"]
    assert status == "fail" and "speaks the beta dialect" in detail and "-preview" in detail


async def test_refused_endpoint_is_an_endpoint_failure():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    checks = await run_checks(None, azure_env(f"http://127.0.0.1:{port}", KEY), audio=False)
    results = by_name(checks)
    assert results["endpoint"][0] == "fail" and "refused" in results["endpoint"][1]
    assert results["auth"][0] == results["session"][0] == "skip"


async def test_failing_entra_chain_names_az_login():
    from azure.identity.aio import AzureCliCredential

    env = {"AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:9", "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-realtime"}
    credential = AzureCliCredential()  # no `az` on this machine
    try:
        checks = await run_checks(None, env, credential=credential, audio=False)
    finally:
        await credential.close()
    results = by_name(checks)
    assert results["auth"][0] == "fail" and "az login" in results["auth"][1]
    assert results["endpoint"][0] == "skip"


async def test_bad_configuration_stops_before_the_network():
    checks = await run_checks(None, {"AZURE_OPENAI_ENDPOINT": "my-res.openai.azure.com"}, audio=False)
    assert checks[0].status == "fail" and "AZURE_OPENAI_ENDPOINT" in checks[0].detail
    assert [c.status for c in checks[1:]] == ["skip", "skip", "skip"]


# --- the command, as a user runs it --------------------------------------------------------------------


def _doctor(*argv: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "OPENAI_", "RT_TUI_"))}
    clean["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    return subprocess.run([sys.executable, "-m", "rt_tui.cli", "doctor", *argv], env={**clean, **env},
                          capture_output=True, text=True, timeout=90)


@pytest.mark.audio
def test_doctor_command_local_is_all_green_with_the_virtual_devices(tmp_path: Path, virtual_audio):
    result = _doctor("--local", env={}, tmp_path=tmp_path)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line[0] for line in lines[:4]] == ["✓"] * 4
    assert lines[4].startswith("✓ audio: input '") and "output '" in lines[4], lines
    assert result.stderr == ""


def test_no_audio_device_at_all_fails_the_audio_check_with_the_fix(tmp_path: Path):
    if Path("/proc/asound/cards").is_file() and "no soundcards" not in Path("/proc/asound/cards").read_text():
        pytest.skip("this machine has sound cards: PortAudio would list them")
    no_server = {"PULSE_SERVER": f"unix:{tmp_path}/no-sound-server", "PULSE_SOURCE": "", "PULSE_SINK": ""}
    result = _doctor("--local", env=no_server, tmp_path=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[4].startswith("✗ audio: no audio device found (fix: connect a headset"), lines
    assert "text chat works" in lines[4]
    assert result.returncode == 1 and [line[0] for line in lines[:4]] == ["✓"] * 4


@pytest.mark.audio
def test_partial_audio_is_a_warning_naming_what_is_missing(virtual_audio):
    """The virtual devices as PortAudio lists them, less what a machine may lack (a real PortAudio cannot be
    made to list an output-only machine or one without defaults here)."""
    import dataclasses

    from rt_tui.core.devices import list_devices
    from rt_tui.doctor import audio_devices_check

    devices = list_devices()
    assert audio_devices_check(devices).status == "ok"
    no_defaults = [dataclasses.replace(d, is_default_input=False, is_default_output=False) for d in devices]
    check = audio_devices_check(no_defaults)
    assert check.status == "warn" and check.line().startswith("! audio: no default input: '")
    assert "no default output: '" in check.detail and "--output-device" in check.detail
    speakers_only = [dataclasses.replace(d, max_input_channels=0) for d in devices]
    check = audio_devices_check(speakers_only)
    assert check.status == "warn" and check.detail.startswith("no microphone found: replies play")
    assert audio_devices_check([dataclasses.replace(d, max_output_channels=0) for d in speakers_only]).status == "fail"


def test_doctor_command_exit_codes(tmp_path: Path):
    emulator = EmulatorThread(EmulatorOptions(api_key=KEY))
    url = emulator.start()
    try:
        wrong = _doctor(env=azure_env(url, WRONG), tmp_path=tmp_path)
        assert wrong.returncode == 1
        assert any(line.startswith("✗ auth:") and "AZURE_OPENAI_API_KEY" in line for line in wrong.stdout.splitlines())
        assert WRONG not in wrong.stdout + wrong.stderr
    finally:
        emulator.stop()
    bad = _doctor(env={"AZURE_OPENAI_ENDPOINT": "nope"}, tmp_path=tmp_path)
    assert bad.returncode == 2 and bad.stdout.startswith("✗ configuration:")
