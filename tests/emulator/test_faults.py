"""Fault injection (reproducible from a seed) and session expiry."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from emulator_helpers import fast_options, user_text
from websockets.asyncio.client import connect as ws_connect

from rt_tui.emulator.faults import FaultOptions
from rt_tui.emulator.server import Emulator

URL = "/v1/realtime?model=gpt-realtime"


async def _chat(emu: Emulator, turns: int = 3) -> tuple[list[str], websockets.ConnectionClosed | None]:
    """Drive a text conversation over a raw socket; return the raw frames and how the socket closed."""
    frames: list[str] = []
    async with ws_connect(emu.url + URL, max_size=None) as ws:
        try:
            frames.append(await ws.recv())
            await ws.send(json.dumps({"type": "session.update", "session": {"type": "realtime",
                                                                             "output_modalities": ["text"]}}))
            for n in range(turns):
                await ws.send(json.dumps({"type": "conversation.item.create", "item": user_text(f"turn {n}")}))
                await ws.send(json.dumps({"type": "response.create"}))
                while True:
                    frames.append(await asyncio.wait_for(ws.recv(), 10))
                    if '"rate_limits.updated"' in frames[-1]:
                        break
        except websockets.ConnectionClosed as closed:
            return frames, closed
    return frames, None


@pytest.mark.parametrize("code", [1001, 1011])
async def test_drop_after_n_events_with_a_close_frame(code):
    async with Emulator(fast_options(faults=FaultOptions(drop_after=7, close_code=code))) as emu:
        frames, closed = await _chat(emu)
    assert len(frames) == 7
    assert closed is not None and closed.rcvd is not None and closed.rcvd.code == code


async def test_drop_1006_is_abrupt():
    async with Emulator(fast_options(faults=FaultOptions(drop_after=4, close_code=1006))) as emu:
        frames, closed = await _chat(emu)
    assert len(frames) == 4
    assert closed is not None and closed.rcvd is None  # no close frame: the client reports 1006


async def test_random_drop_point_is_reproducible_from_the_seed():
    counts = []
    for seed in (7, 7, 8):
        async with Emulator(fast_options(faults=FaultOptions(drop_random=True, close_code=1011, seed=seed))) as emu:
            frames, closed = await _chat(emu, turns=8)
        assert closed is not None
        counts.append(len(frames))
    assert counts[0] == counts[1]
    assert counts[0] != counts[2]


async def test_malformed_unknown_and_oversized_frames_follow_the_seed():
    options = FaultOptions(malformed_rate=0.2, unknown_rate=0.2, oversized_rate=0.1, oversized_bytes=100_000, seed=3)
    runs = []
    for _ in range(2):
        async with Emulator(fast_options(faults=options)) as emu:
            frames, _ = await _chat(emu, turns=1)
            await asyncio.sleep(0.05)
        kinds = []
        for frame in frames:
            try:
                event = json.loads(frame)
            except ValueError:
                kinds.append("malformed")
                continue
            if event["type"] == "emulator.unknown_fault":
                kinds.append("unknown")
            elif len(frame) > 100_000:
                kinds.append("oversized")
            else:
                kinds.append("ok")
        runs.append(kinds)
    assert runs[0][:12] == runs[1][:12]
    assert {"malformed", "unknown", "oversized", "ok"} <= set(runs[0] + runs[1])


async def test_delayed_events():
    async with Emulator(fast_options(faults=FaultOptions(delay_rate=1.0, delay_ms=100))) as emu:
        start = time.monotonic()
        async with ws_connect(emu.url + URL) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "input_audio_buffer.clear"}))
            await ws.recv()
        assert time.monotonic() - start >= 0.2


async def test_session_expiry_sends_error_then_close_1001():
    async with Emulator(fast_options(max_session_s=0.3)) as emu:
        async with ws_connect(emu.url + URL) as ws:
            await ws.recv()
            error = json.loads(await asyncio.wait_for(ws.recv(), 5))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
    message = "Your session hit the maximum duration of 0.3 seconds."
    assert error["error"] == {"type": "invalid_request_error", "code": "session_expired", "message": message,
                              "param": None, "event_id": None}
    assert closed.value.rcvd.code == 1001 and closed.value.rcvd.reason == message


@pytest.mark.parametrize("seconds, length", [(3600, "60 minutes"), (60, "1 minute"), (1, "1 second"),
                                             (90, "90 seconds")])
def test_expiry_message_names_the_limit_like_the_service(seconds, length):
    from rt_tui.emulator.session import expiry_message

    assert expiry_message(seconds) == f"Your session hit the maximum duration of {length}."


@pytest.mark.parametrize("path, minutes", [
    ("/v1/realtime?model=gpt-realtime", 60),
    ("/openai/v1/realtime?model=gpt-realtime", 30),
    ("/openai/realtime?api-version=2025-08-28&deployment=gpt-realtime", 30),
    ("/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime", 30),
])
async def test_default_expiry_is_the_services(emulator, path, minutes):
    """Without `max_session_s` a session lasts as long as the service's: 60 min on OpenAI, 30 on Azure."""
    async with ws_connect(emulator.url + path) as ws:
        expires_at = json.loads(await ws.recv())["session"]["expires_at"]
    assert abs(expires_at - (time.time() + 60 * minutes)) <= 5
    [session] = emulator.sessions
    assert session.max_session_s == 60 * minutes
