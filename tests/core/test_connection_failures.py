"""Connect failures become readable `failed` statuses; dropped connections reconnect into a new session."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import ssl

import pytest
import trustme
from connection_helpers import fast_options, free_port, running_worker
from websockets.asyncio.server import serve

from rt_tui.config import Target, resolve_target_for_emulator
from rt_tui.emulator.faults import FaultOptions
from rt_tui.emulator.server import Emulator

KEY = "emulator-key-0123456789"
WRONG_KEY = "wrong-key-9876543210abc"


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_401_at_the_handshake_is_a_failed_status_with_the_servers_message(dialect: str):
    async with Emulator(fast_options(api_key=KEY)) as emu:
        target = dataclasses.replace(resolve_target_for_emulator(emu.url, dialect=dialect), api_key=WRONG_KEY)
        async with running_worker(target) as (worker, rec):
            await rec.wait_for(lambda: "failed" in rec.states(), what="failed")
            failed = rec.statuses[-1]
            assert failed.state == "failed"
            assert "HTTP 401" in failed.message and "Access denied" in failed.message
            assert "--api-key" in failed.message  # the fix, for the emulator target
            assert rec.events == []

            worker.reconnect()  # the worker is alive and retries on demand
            await rec.wait_for(lambda: rec.count("failed") == 2, what="second failure")
            assert rec.states() == ["connecting", "failed", "connecting", "failed"]
            for status in rec.statuses:
                assert WRONG_KEY not in status.message and KEY not in status.message


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_right_key_connects_on_both_routes(dialect: str):
    async with Emulator(fast_options(api_key=KEY)) as emu:
        target = dataclasses.replace(resolve_target_for_emulator(emu.url, dialect=dialect), api_key=KEY)
        async with running_worker(target) as (_, rec):
            await rec.wait_for(lambda: "connected" in rec.states(), what="connected")


async def test_azure_style_401_names_the_variable_to_fix():
    async with Emulator(fast_options(api_key=KEY)) as emu:
        local = resolve_target_for_emulator(emu.url, dialect="ga")
        target = Target("azure", local.endpoint, "gpt-realtime", route="ga", dialect="ga", auth="api-key",
                        api_key=WRONG_KEY)
        async with running_worker(target) as (_, rec):
            await rec.wait_for(lambda: "failed" in rec.states())
            assert "AZURE_OPENAI_API_KEY" in rec.statuses[-1].message


async def test_refused_then_reconnect_when_the_server_is_up():
    port = free_port()
    target = resolve_target_for_emulator(f"ws://127.0.0.1:{port}")
    async with running_worker(target) as (worker, rec):
        await rec.wait_for(lambda: "failed" in rec.states(), what="failed")
        assert "refused" in rec.statuses[-1].message and f"127.0.0.1:{port}" in rec.statuses[-1].message
        worker.send_text("queued while down")
        async with Emulator(fast_options(port=port)) as emu:
            worker.reconnect()
            await rec.wait_for(lambda: rec.server("response.done"), what="reply after reconnect")
            assert rec.states()[-1] == "connected"
            assert [e["type"] for e in emu.received][:3] == [
                "session.update", "conversation.item.create", "response.create"]


async def test_404_for_a_wrong_path():
    async with Emulator(fast_options()) as emu:
        local = resolve_target_for_emulator(emu.url)
        target = Target("openai", local.endpoint + "/not-v1", "gpt-realtime", auth="bearer", api_key="x" * 20)
        async with running_worker(target) as (_, rec):
            await rec.wait_for(lambda: "failed" in rec.states())
            message = rec.statuses[-1].message
            assert "HTTP 404" in message and "Resource not found" in message and "--model" in message


async def test_close_4000_after_the_upgrade_fails_with_the_error_event():
    # the beta header on /v1 is refused like api.openai.com: error event, then close 4000
    async with Emulator(fast_options()) as emu:
        target = dataclasses.replace(resolve_target_for_emulator(emu.url), dialect="beta")
        async with running_worker(target) as (_, rec):
            await rec.wait_for(lambda: "failed" in rec.states())
            message = rec.statuses[-1].message
            assert "beta_api_shape_disabled" in message and "close 4000" in message
            assert [e.type for e in rec.events] == ["error"]  # delivered to on_event too
            assert rec.count("reconnecting") == 0


async def test_untrusted_tls_certificate():
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)

    async def handler(ws):  # never reached: the client refuses the certificate
        await ws.close()

    async with serve(handler, "127.0.0.1", 0, ssl=context) as server:
        port = server.sockets[0].getsockname()[1]
        target = Target("local", f"https://127.0.0.1:{port}", "gpt-realtime")
        async with running_worker(target) as (_, rec):
            await rec.wait_for(lambda: "failed" in rec.states())
            message = rec.statuses[-1].message
            assert "TLS certificate" in message and "not trusted" in message and "SSL_CERT_FILE" in message


async def test_plain_http_port_spoken_to_with_tls():
    async with Emulator(fast_options()) as emu:
        local = resolve_target_for_emulator(emu.url)
        target = dataclasses.replace(local, endpoint=local.endpoint.replace("http://", "https://"))
        async with running_worker(target) as (_, rec):
            await rec.wait_for(lambda: "failed" in rec.states())
            assert "TLS handshake" in rec.statuses[-1].message and "http://" in rec.statuses[-1].message


@pytest.mark.parametrize("close_code", [1006, 1011])
async def test_dropped_connection_reconnects_into_a_new_configured_session(close_code: int):
    faults = FaultOptions(drop_after=2, close_code=close_code)  # every session drops after session.updated
    async with Emulator(fast_options(faults=faults)) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (_, rec):
            await rec.wait_for(lambda: len(rec.server("session.created")) >= 2, what="a second session")
            await rec.wait_for(lambda: rec.count("connected") >= 2, what="connected again")
            states = rec.states()
            first_drop = states.index("reconnecting")
            assert states[:first_drop] == ["connecting", "connected"]
            assert str(close_code) in rec.statuses[first_drop].message
            ids = [e.payload["session"]["id"] for e in rec.server("session.created")]
            assert len(set(ids)) == len(ids)  # a new session each time
            # every new session was configured again before anything else was sent
            updates = [i for i, e in enumerate(emu.received) if e["type"] == "session.update"]
            assert len(updates) >= 2


async def test_emulator_restart_resends_session_update_then_held_commands():
    port = free_port()
    first = Emulator(fast_options(port=port))
    url = await first.start()
    async with running_worker(resolve_target_for_emulator(url)) as (worker, rec):
        await rec.wait_for(lambda: "connected" in rec.states())
        await first.stop()  # closes the socket with 1001 (going away)
        await rec.wait_for(lambda: "reconnecting" in rec.states(), what="reconnecting")
        worker.send_text("sent while the server was away")
        worker.append_audio(b"\x00\x00" * 2400)  # live audio is not held for a later session
        await asyncio.sleep(0.3)  # let a few reconnect attempts fail (refused) with back-off
        async with Emulator(fast_options(port=port)) as second:
            await rec.wait_for(lambda: rec.server("response.done"), what="reply from the new server", timeout=15)
            assert [e["type"] for e in second.received][:3] == [
                "session.update", "conversation.item.create", "response.create"]
            assert all(e["type"] != "input_audio_buffer.append" for e in second.received)
            assert rec.states()[-1] == "connected"


async def test_gives_up_after_max_retries_with_a_failed_status():
    port = free_port()
    first = Emulator(fast_options(port=port))
    url = await first.start()
    async with running_worker(resolve_target_for_emulator(url), max_retries=2) as (_, rec):
        await rec.wait_for(lambda: "connected" in rec.states())
        await first.stop()
        await rec.wait_for(lambda: "failed" in rec.states(), what="giving up")
        assert rec.count("reconnecting") >= 2
        assert "gave up after 2 reconnect attempts" in rec.statuses[-1].message


# --- Entra ID: the real azure-identity provider machinery; Entra itself is unreachable here ----------


class StandInCredential:
    """Plays Entra's part (issues a token); everything between it and the socket is the real code."""

    def __init__(self, token: str) -> None:
        self.token, self.calls = token, 0

    async def get_token(self, *scopes: str, **kwargs: object):
        from azure.core.credentials import AccessToken

        assert scopes == ("https://cognitiveservices.azure.com/.default",)
        self.calls += 1
        return AccessToken(self.token, int(__import__("time").time()) + 3600)

    async def close(self) -> None:
        pass


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_entra_bearer_token_reaches_the_server(dialect: str):
    from rt_tui.core.auth import open_client

    token = "entra-token-0123456789abcdef"
    credential = StandInCredential(token)
    async with Emulator(fast_options(api_key=token)) as emu:  # accepts exactly `Authorization: Bearer <token>`
        local = resolve_target_for_emulator(emu.url, dialect=dialect)
        target = dataclasses.replace(local, provider="azure", auth="entra",
                                     api_version=local.api_version if dialect == "beta" else None)
        async with running_worker(target, client_factory=lambda t: open_client(t, credential=credential)) as (
                _, rec):
            await rec.wait_for(lambda: "connected" in rec.states(), what="connected with the Entra token")
            assert credential.calls == 1
            assert all(token not in s.message for s in rec.statuses)


async def test_failing_entra_chain_is_a_failed_status_naming_az_login():
    from azure.identity.aio import AzureCliCredential

    from rt_tui.core.auth import open_client

    async with Emulator(fast_options()) as emu:
        local = resolve_target_for_emulator(emu.url)
        target = dataclasses.replace(local, provider="azure", auth="entra")
        factory = lambda t: open_client(t, credential=AzureCliCredential())  # noqa: E731 (no `az` here)
        async with running_worker(target, client_factory=factory) as (_, rec):
            await rec.wait_for(lambda: "failed" in rec.states(), what="failed")
            assert "az login" in rec.statuses[-1].message
            assert emu.sessions == []  # it failed before opening a socket


# --- sessions that end, odd frames, stopping ---------------------------------------------------------


async def test_session_expiry_reconnects_with_the_servers_reason():
    async with Emulator(fast_options(max_session_s=0.5)) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (_, rec):
            await rec.wait_for(lambda: rec.count("connected") >= 2, what="a second session after expiry")
            reconnecting = next(s for s in rec.statuses if s.state == "reconnecting")
            assert "session_expired" in reconnecting.message and "maximum duration" in reconnecting.message
            assert "close 1001" in reconnecting.message


async def test_reconnect_while_connected_starts_a_fresh_configured_session():
    async with Emulator(fast_options()) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (worker, rec):
            await rec.wait_for(lambda: rec.server("session.updated"))
            worker.reconnect()
            await rec.wait_for(lambda: len(rec.server("session.updated")) == 2, what="second session configured")
            assert len(emu.sessions) == 2
            assert [e["type"] for e in emu.received] == ["session.update", "session.update"]


async def test_unknown_event_types_pass_through_and_the_session_goes_on():
    faults = FaultOptions(unknown_rate=1.0)  # every event is preceded by an event of an unknown type
    async with Emulator(fast_options(faults=faults)) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (worker, rec):
            worker.send_text("hi")
            await rec.wait_for(lambda: rec.server("response.done"))
            assert rec.server("emulator.unknown_fault")
            assert rec.states() == ["connecting", "connected"]


async def test_a_frame_that_is_not_json_is_delivered_as_malformed_and_not_fatal():
    from rt_tui.core.connection import MALFORMED_FRAME

    async def handler(ws):
        await ws.send('{"type": "session.created", "event_id": "e1", "session": {"type": "realtime"}}')
        await ws.recv()  # the session.update
        await ws.send('{"type": "response.cre')
        # not strict JSON, which the fast parser refuses: the fallback reads it as Python's json does
        await ws.send('{"type": "response.done", "event_id": "e3", "response": {"temperature": NaN}}')
        await ws.send('{"type": "rate_limits.updated", "event_id": "e2", "rate_limits": []}')
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        async with running_worker(resolve_target_for_emulator(f"ws://127.0.0.1:{port}")) as (_, rec):
            await rec.wait_for(lambda: rec.server("rate_limits.updated"))
            malformed = rec.server(MALFORMED_FRAME)
            assert len(malformed) == 1 and malformed[0].payload["frame"] == '{"type": "response.cre'
            assert "Unterminated string" in malformed[0].payload["error"]  # json's wording of the problem
            done = rec.server("response.done")
            assert done and math.isnan(done[0].payload["response"]["temperature"])
            assert rec.states() == ["connecting", "connected"]


async def test_stop_during_a_hanging_handshake_returns_promptly():
    async def silent(reader, writer):  # accepts TCP, never answers the HTTP upgrade
        await reader.read()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with running_worker(resolve_target_for_emulator(f"ws://127.0.0.1:{port}")) as (worker, rec):
            await rec.wait_for(lambda: "connecting" in rec.states())
            await asyncio.sleep(0.2)
            started = asyncio.get_running_loop().time()
            await worker.stop()
            assert asyncio.get_running_loop().time() - started < 2
        assert rec.statuses[-1].state == "disconnected"
    finally:
        server.close()


async def test_a_failing_subscriber_does_not_take_the_connection_down():
    async with Emulator(fast_options()) as emu:
        seen: list[str] = []

        def flaky(event) -> None:
            seen.append(event.type)
            if event.type == "session.created":
                raise RuntimeError("bug in a subscriber")

        from rt_tui.core.connection import RealtimeWorker
        from rt_tui.core.session import SessionConfig

        statuses = []
        worker = RealtimeWorker(resolve_target_for_emulator(emu.url), SessionConfig(output_modalities="text"),
                                flaky, statuses.append)
        task = asyncio.create_task(worker.run())
        worker.send_text("hello")
        for _ in range(200):
            if "response.done" in seen:
                break
            await asyncio.sleep(0.02)
        await worker.stop()
        await task
        assert "response.done" in seen


async def test_a_drop_right_after_session_created_is_survived():
    faults = FaultOptions(drop_after=1, close_code=1006)  # the socket dies as the client configures it
    async with Emulator(fast_options(faults=faults)) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (_, rec):
            await rec.wait_for(lambda: len(rec.server("session.created")) >= 3, what="repeated sessions")
            assert "failed" not in rec.states()
            assert rec.count("reconnecting") >= 2
