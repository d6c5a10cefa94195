"""`rt-tui doctor`: one line per check (configuration, endpoint, auth, session, audio) with ✓/✗ and the fix.

The endpoint is reached with a handshake only: connect, read the first event (`session.created`, or the
error the server sends before closing), close. No response is created, so nothing is billed.

Audio (voice is optional: every audio line says text chat still works):
- ✗ when voice cannot work at all on this machine: the PortAudio library (or the sounddevice package) is
  missing, PortAudio cannot list devices, or there is no audio device at all. The line says how to fix it.
- ! when voice works only in part, or rt-tui has to guess: no microphone (replies still play), no speaker
  (you can still speak), or no system default input/output (the first device is used).
- ✓ otherwise, naming the microphone and speaker used.
Exit code: 2 for a configuration failure, 1 for any other ✗ (audio included), 0 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Mapping

from rt_tui.config import ConfigError, Target, load_settings, resolve_target_for_emulator
from rt_tui.core.redaction import redact_text

if TYPE_CHECKING:
    from rt_tui.core.devices import DeviceInfo

Status = Literal["ok", "fail", "warn", "skip"]
SYMBOLS = {"ok": "✓", "fail": "✗", "warn": "!", "skip": "–"}


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str

    def line(self) -> str:
        return f"{SYMBOLS[self.status]} {self.name}: {self.detail}"


async def run_checks(args: argparse.Namespace | None = None, env: Mapping[str, str] = os.environ, *,
                     credential: Any | None = None, audio: bool = True, timeout: float = 20.0) -> list[Check]:
    try:
        settings = load_settings(args, env)
    except ConfigError as exc:
        skipped = [Check(name, "skip", "not checked: fix the configuration first")
                   for name in ("endpoint", "auth", "session")]
        return [Check("configuration", "fail", f"{exc.message} (fix: {exc.variable})"), *skipped,
                *([check_audio()] if audio else [])]
    target = settings.target
    where = f" (config file {settings.config_path})" if settings.config_path else ""
    checks = [Check("configuration", "ok", target.describe() + where)]
    emulator = None
    if settings.needs_embedded_emulator:
        from rt_tui.emulator.server import Emulator

        emulator = Emulator()
        target = resolve_target_for_emulator(await emulator.start(), model=target.model)
    try:
        checks += await probe(target, credential=credential, timeout=timeout)
    finally:
        if emulator is not None:
            await emulator.stop()
    if audio:
        checks.append(check_audio())
    secrets = [target.api_key] if target.api_key else []
    return [Check(c.name, c.status, redact_text(c.detail, secrets)) for c in checks]


async def probe(target: Target, *, credential: Any | None = None, timeout: float = 20.0) -> list[Check]:
    """Endpoint, auth and session lines from one handshake with `target`."""
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    from rt_tui.core.auth import AuthError, open_client
    from rt_tui.core.connect_errors import describe_close, describe_connect_error

    host = target.host or target.endpoint
    owned_credential = None
    if target.auth == "entra" and credential is None:
        from azure.identity.aio import DefaultAzureCredential

        credential = owned_credential = DefaultAzureCredential()
    client = open_client(target, credential=credential)
    try:
        try:
            connection = await asyncio.wait_for(client.connect().enter(), timeout)
        except AuthError as exc:
            return [Check("endpoint", "skip", "not tried without credentials"), Check("auth", "fail", str(exc)),
                    Check("session", "skip", "not tried")]
        except Exception as exc:
            message = describe_connect_error(exc, target)
            status = exc.response.status_code if isinstance(exc, InvalidStatus) else None
            if status in (401, 403):
                return [Check("endpoint", "ok", f"{host} answered (HTTP {status})"), Check("auth", "fail", message),
                        Check("session", "skip", "not tried")]
            return [Check("endpoint", "fail", message), Check("auth", "skip", "not tried"),
                    Check("session", "skip", "not tried")]
        try:
            first = json.loads(await asyncio.wait_for(connection.recv_bytes(), timeout))
            if first.get("type") != "session.created":
                error = first.get("error") or {}
                code: int | None = None
                try:
                    await asyncio.wait_for(connection.recv_bytes(), timeout)
                    close_text = describe_close(None, "", error)
                except ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd else 1006
                    close_text = describe_close(code, closed.rcvd.reason if closed.rcvd else "", error)
                # OpenAI closes with 3000 for credentials and 4000 for the request's shape
                auth_failed = code == 3000 or error.get("code") == "invalid_api_key"
                if auth_failed:
                    return [Check("endpoint", "ok", f"{host} accepted the WebSocket upgrade"),
                            Check("auth", "fail", close_text), Check("session", "skip", "not tried")]
                return [Check("endpoint", "ok", f"{host} accepted the WebSocket upgrade"),
                        Check("auth", "ok", _auth_text(target)), Check("session", "fail", close_text)]
            return [Check("endpoint", "ok", f"{host} accepted the WebSocket upgrade"),
                    Check("auth", "ok", _auth_text(target)), _session_check(first.get("session") or {}, target)]
        except (ConnectionClosed, asyncio.TimeoutError, ValueError) as exc:
            return [Check("endpoint", "ok", f"{host} accepted the WebSocket upgrade"),
                    Check("auth", "ok", _auth_text(target)),
                    Check("session", "fail", f"no session.created from the server: {type(exc).__name__}: {exc}")]
        finally:
            await connection.close()
    finally:
        await client.aclose()
        if owned_credential is not None:
            await owned_credential.close()


def _auth_text(target: Target) -> str:
    return {"api-key": "API key accepted", "bearer": "API key accepted",
            "entra": "Microsoft Entra ID token acquired and accepted", "none": "no key needed"}[target.auth]


def _session_check(session: dict[str, Any], target: Target) -> Check:
    spoken = "ga" if session.get("type") == "realtime" or "output_modalities" in session else "beta"
    model = session.get("model") or target.model
    if spoken == target.dialect:
        return Check("session", "ok", f"session.created ({model}, {'GA' if spoken == 'ga' else 'beta'} dialect as "
                                      "expected)")
    if spoken == "beta":
        fix = "use a *-preview OPENAI_API_VERSION (beta), or unset it for the GA v1 route"
    else:
        fix = "use OPENAI_API_VERSION 2025-08-28 or later, or unset it for the GA v1 route"
    return Check("session", "fail", f"the server speaks the {spoken} dialect, rt-tui expected {target.dialect} "
                                    f"(fix: {fix})")


VOICE_ONLY = " — voice unavailable, text chat works"
_LIBRARY_FIX = {
    OSError: "install PortAudio: sudo apt-get install libportaudio2 (Debian/Ubuntu), brew install portaudio (macOS)",
    ImportError: "reinstall rt-tui so that its sounddevice dependency is installed",
}


def check_audio() -> Check:
    """PortAudio and the devices it sees (✗/!/✓ as the module docstring says)."""
    from rt_tui.core.devices import AudioUnavailable, list_devices, load_sounddevice

    try:
        load_sounddevice()
    except AudioUnavailable as exc:
        fix = _LIBRARY_FIX.get(type(exc.__cause__), _LIBRARY_FIX[OSError])
        return Check("audio", "fail", f"{exc.reason} (fix: {fix}){VOICE_ONLY}")
    try:
        devices = list_devices()
    except AudioUnavailable as exc:
        return Check("audio", "fail", f"{exc.reason} (fix: check that the sound server (PulseAudio/PipeWire) "
                                      f"runs){VOICE_ONLY}")
    return audio_devices_check(devices)


def audio_devices_check(devices: list[DeviceInfo]) -> Check:
    inputs = [d for d in devices if d.max_input_channels]
    outputs = [d for d in devices if d.max_output_channels]
    if not inputs and not outputs:
        return Check("audio", "fail", "no audio device found (fix: connect a headset, or microphone and speakers, "
                                      f"or start the sound server; `rt-tui devices` lists what is seen){VOICE_ONLY}")
    warnings = []
    if not inputs:
        warnings.append("no microphone found: replies play, but you cannot speak (fix: connect one)")
    if not outputs:
        warnings.append("no speaker found: you can speak, but replies are not heard (fix: connect one)")
    mic = next((d for d in inputs if d.is_default_input), None)
    speaker = next((d for d in outputs if d.is_default_output), None)
    if inputs and mic is None:
        mic = inputs[0]
        warnings.append(f"no default input: '{mic.name}' is used (fix: --input-device or a system default)")
    if outputs and speaker is None:
        speaker = outputs[0]
        warnings.append(f"no default output: '{speaker.name}' is used (fix: --output-device or a system default)")
    if warnings:
        return Check("audio", "warn", "; ".join(warnings))
    assert mic is not None and speaker is not None
    rates = "24 kHz mono" if mic.input_24k_mono and speaker.output_24k_mono else "resampled to 24 kHz"
    return Check("audio", "ok", f"input '{mic.name}', output '{speaker.name}' ({rates})")


def run(args: argparse.Namespace) -> int:
    checks = asyncio.run(run_checks(args))
    for check in checks:
        print(check.line())
    if checks[0].status == "fail":
        return 2
    return 1 if any(check.status == "fail" for check in checks) else 0


if __name__ == "__main__":
    from rt_tui.cli import build_parser

    sys.exit(run(build_parser().parse_args(["doctor", *sys.argv[1:]])))
