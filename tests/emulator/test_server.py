"""Transport: routes, auth, dialect choice, subprotocol, handshake refusals, bad frames."""

from __future__ import annotations

import json

import pytest
import websockets
from emulator_helpers import connect, fast_options, recv, until
from websockets.asyncio.client import connect as ws_connect

from rt_tui.emulator.server import Emulator, EmulatorThread, dialect_for_api_version


@pytest.mark.parametrize("version, dialect", [
    ("2024-10-01-preview", "beta"), ("2025-04-01-preview", "beta"), ("2024-12-17", "beta"),
    ("2025-08-28", "ga"), ("2026-01-01", "ga"),
])
def test_api_version_picks_dialect(version, dialect):
    assert dialect_for_api_version(version) == dialect


@pytest.mark.parametrize("route, version, session_key", [
    ("v1", None, "output_modalities"),
    ("azure_ga", None, "output_modalities"),
    ("classic", "2025-08-28", "output_modalities"),
    ("classic", "2025-04-01-preview", "modalities"),
])
async def test_each_route_greets_with_session_created_in_its_dialect(emulator, route, version, session_key):
    async with connect(emulator, route, api_version=version or "2025-08-28") as conn:
        event = await recv(conn)
    assert event["type"] == "session.created"
    assert session_key in event["session"]
    assert event["event_id"].startswith("event_") and len(event["event_id"]) == 27


async def test_ga_defaults_match_the_service(emulator):
    async with connect(emulator) as conn:
        session = (await recv(conn))["session"]
    assert session["type"] == "realtime" and session["id"].startswith("sess_")
    assert session["output_modalities"] == ["audio"]
    assert session["audio"]["output"]["voice"] == "marin"
    assert session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert session["audio"]["input"]["turn_detection"] == {
        "type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200,
        "idle_timeout_ms": None, "create_response": True, "interrupt_response": True}
    assert session["max_output_tokens"] == "inf" and session["tools"] == [] and session["tool_choice"] == "auto"


async def test_mini_model_defaults_to_alloy_and_beta_to_alloy_with_temperature(emulator):
    async with connect(emulator, model="gpt-realtime-mini") as conn:
        assert (await recv(conn))["session"]["audio"]["output"]["voice"] == "alloy"
    async with connect(emulator, "classic", api_version="2025-04-01-preview") as conn:
        session = (await recv(conn))["session"]
    assert session["voice"] == "alloy" and session["temperature"] == 0.8
    assert session["modalities"] == ["audio", "text"]


async def test_dialect_override_by_query_parameter_and_option(emulator):
    async with ws_connect(f"{emulator.url}/v1/realtime?model=gpt-realtime&emulator_dialect=beta") as ws:
        assert "modalities" in json.loads(await ws.recv())["session"]
    async with Emulator(fast_options(dialect="beta")) as emu:
        async with connect(emu) as conn:
            assert "modalities" in (await recv(conn))["session"]


async def test_beta_header_on_openai_route_is_refused_like_openai(emulator):
    async with connect(emulator, beta=True) as conn:
        event = await recv(conn)
        assert event["type"] == "error" and event["error"]["code"] == "beta_api_shape_disabled"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await conn.recv_bytes()
    assert closed.value.rcvd.code == 4000
    assert closed.value.rcvd.reason == "invalid_request_error.beta_api_shape_disabled"


async def test_beta_header_served_when_asked():
    async with Emulator(fast_options(openai_beta="serve")) as emu:
        async with connect(emu, beta=True) as conn:
            assert "modalities" in (await recv(conn))["session"]


@pytest.mark.parametrize("openai_beta", ["reject", "serve"])
async def test_beta_subprotocol_counts_as_the_beta_header(openai_beta):
    """Browsers and Node's beta client (`openai/beta/realtime/websocket`) ask for beta by subprotocol, not header."""
    offered = ["realtime", "openai-insecure-api-key.k", "openai-beta.realtime-v1"]  # as the Node SDK sends them
    async with Emulator(fast_options(openai_beta=openai_beta)) as emu:
        async with ws_connect(f"{emu.url}/v1/realtime?model=gpt-realtime", subprotocols=offered) as ws:
            event = json.loads(await ws.recv())
    if openai_beta == "reject":
        assert event["error"]["code"] == "beta_api_shape_disabled" and ws.close_code == 4000
    else:
        assert "modalities" in event["session"]


async def test_missing_model_is_an_error_then_close_4000(emulator):
    async with ws_connect(f"{emulator.url}/v1/realtime") as ws:
        event = json.loads(await ws.recv())
        assert event["error"]["code"] == "missing_model"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4000


@pytest.mark.parametrize("path", ["/openai/realtime?deployment=d", "/openai/realtime?api-version=2025-08-28",
                                  "/nowhere"])
async def test_unknown_route_or_missing_classic_parameters_are_404(emulator, path):
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with ws_connect(f"{emulator.url}{path}"):
            pass
    assert refused.value.response.status_code == 404


class TestAuth:
    @pytest.fixture
    async def locked(self):
        async with Emulator(fast_options(api_key="s3cret")) as emu:
            yield emu

    @pytest.mark.parametrize("route", ["v1", "azure_ga", "classic"])
    async def test_right_key_is_accepted_on_every_route(self, locked, route):
        async with connect(locked, route, api_key="s3cret") as conn:
            assert (await recv(conn))["type"] == "session.created"

    @pytest.mark.parametrize("route", ["v1", "azure_ga", "classic"])
    async def test_wrong_key_is_401_at_the_handshake(self, locked, route):
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with connect(locked, route, api_key="wrong"):
                pass
        assert refused.value.response.status_code == 401
        assert b"s3cret" not in refused.value.response.body

    async def test_no_credentials_is_401(self, locked):
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with ws_connect(f"{locked.url}/v1/realtime?model=gpt-realtime"):
                pass
        assert refused.value.response.status_code == 401

    async def test_query_key_and_browser_subprotocol_key(self, locked):
        async with ws_connect(f"{locked.url}/openai/realtime?api-version=2025-08-28&deployment=d&api-key=s3cret") as ws:
            assert json.loads(await ws.recv())["type"] == "session.created"
        offered = ["realtime", "openai-insecure-api-key.s3cret"]
        async with ws_connect(f"{locked.url}/v1/realtime?model=m", subprotocols=offered) as ws:
            assert ws.subprotocol == "realtime"
            assert json.loads(await ws.recv())["type"] == "session.created"


async def test_binary_and_invalid_json_and_unknown_types_are_non_fatal_errors(emulator):
    async with ws_connect(f"{emulator.url}/v1/realtime?model=gpt-realtime") as ws:
        await ws.recv()
        await ws.send(b"\x00\x01")
        await ws.send("{not json")
        await ws.send(json.dumps({"type": "bogus.event", "event_id": "evt_1"}))
        errors = [json.loads(await ws.recv())["error"] for _ in range(3)]
        await ws.send(json.dumps({"type": "input_audio_buffer.clear"}))
        assert json.loads(await ws.recv())["type"] == "input_audio_buffer.cleared"
    assert errors[0]["code"] == "invalid_event" and "binary frames are not supported" in errors[0]["message"]
    assert errors[1]["code"] == "invalid_json" and errors[1]["message"].startswith("Invalid event: failed to parse JSON value.")
    assert errors[2]["code"] == "invalid_value" and errors[2]["param"] == "type"
    assert errors[2]["event_id"] == "evt_1"
    assert errors[2]["message"].startswith("Invalid value: 'bogus.event'. Supported values are: 'session.update'")


async def test_received_events_are_recorded(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "input_audio_buffer.clear", "event_id": "mine"})
        await until(conn, "input_audio_buffer.cleared")
    assert emulator.received[-1] == {"type": "input_audio_buffer.clear", "event_id": "mine"}


def test_emulator_thread_serves_from_its_own_loop():
    thread = EmulatorThread(fast_options())
    url = thread.start()
    try:
        from websockets.sync.client import connect as sync_connect

        with sync_connect(f"{url}/v1/realtime?model=gpt-realtime") as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "session.created"
    finally:
        thread.stop()
    assert url.startswith("ws://127.0.0.1:")


async def test_server_pings_keep_the_connection_measured():
    import asyncio

    async with Emulator(fast_options(ping_interval_s=0.1)) as emu:
        async with ws_connect(f"{emu.url}/v1/realtime?model=gpt-realtime") as ws:
            await ws.recv()
            await asyncio.sleep(0.35)
            # a pong came back for the server's ping, so the server measured the round trip
            assert emu.sessions[0].ws.latency > 0


def test_emulator_thread_records_nothing():
    thread = EmulatorThread(fast_options())
    url = thread.start()
    try:
        from websockets.sync.client import connect as sync_connect

        with sync_connect(f"{url}/v1/realtime?model=gpt-realtime") as ws:
            ws.recv(timeout=5)
            ws.send(json.dumps({"type": "input_audio_buffer.clear"}))
            ws.recv(timeout=5)
    finally:
        thread.stop()
    assert thread.emulator.received == [] and thread.emulator.sent == [] and thread.emulator.sessions == []
