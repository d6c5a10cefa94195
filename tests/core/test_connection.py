"""RealtimeWorker against the real emulator over loopback, through the real `openai` SDK."""

from __future__ import annotations

import asyncio
import threading

import pytest
from connection_helpers import fast_options, running_worker

from rt_tui.config import resolve_target_for_emulator
from rt_tui.core.dialect import normalize_server_event
from rt_tui.core.session import SessionConfig
from rt_tui.emulator.server import Emulator

BETA_ONLY_NAMES = {"response.text.delta", "response.text.done", "response.audio.delta", "response.audio.done",
                   "response.audio_transcript.delta", "response.audio_transcript.done", "conversation.item.created"}


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_text_turn_round_trip(dialect: str):
    async with Emulator(fast_options()) as emu:
        target = resolve_target_for_emulator(emu.url, dialect=dialect)
        async with running_worker(target) as (worker, rec):
            worker.send_text("hello there")
            await rec.wait_for(lambda: rec.server("response.done"), what="response.done")

            assert rec.states()[:2] == ["connecting", "connected"]
            assert "local emulator" in rec.statuses[1].message
            sent = [e.type for e in rec.client()]
            assert sent == ["session.update", "conversation.item.create", "response.create"]
            assert [e["type"] for e in emu.received] == sent  # the emulator got them in that order
            # streamed text arrives as GA deltas whatever the wire dialect, and adds up to the final text
            deltas = "".join(e.payload["delta"] for e in rec.server("response.output_text.delta"))
            assert deltas and rec.reply_texts() == [deltas]
            assert not {e.type for e in rec.events} & BETA_ONLY_NAMES
            wire = {e.wire_type for e in rec.events if e.direction == "server"}
            assert ("response.text.delta" in wire) == (dialect == "beta")
            assert all(e.size > 0 for e in rec.events)
            assert rec.server("response.done")[0].payload["response"]["status"] == "completed"


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_session_update_is_sent_on_connect_and_applied(dialect: str):
    config = SessionConfig(instructions="Answer like a pirate.", output_modalities="text", voice="cedar")
    async with Emulator(fast_options()) as emu:
        target = resolve_target_for_emulator(emu.url, dialect=dialect)
        async with running_worker(target, config) as (worker, rec):
            updated = await rec.wait_for(lambda: rec.server("session.updated"), what="session.updated")
            session = updated[0].payload["session"]
            assert session["instructions"] == "Answer like a pirate."
            assert session["output_modalities"] == ["text"]
            assert SessionConfig.from_ga_session(session).voice == "cedar"
            on_wire = emu.received[0]["session"]
            if dialect == "beta":
                assert on_wire["modalities"] == ["text"] and "type" not in on_wire
            else:
                assert on_wire["type"] == "realtime" and on_wire["output_modalities"] == ["text"]
            # the Event carries the GA shape whatever went on the wire
            assert rec.client("session.update")[0].payload == config.session_update("ga")

            worker.update_session(config.model_copy(update={"instructions": "Now be terse."}))
            await rec.wait_for(lambda: len(rec.server("session.updated")) == 2, what="second session.updated")
            assert rec.server("session.updated")[1].payload["session"]["instructions"] == "Now be terse."
            assert worker.config.instructions == "Now be terse."


async def test_server_error_events_are_just_events():
    async with Emulator(fast_options()) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (worker, rec):
            worker.send({"type": "conversation.item.delete", "item_id": "item_does_not_exist"})
            errors = await rec.wait_for(lambda: rec.server("error"), what="error event")
            assert errors[0].payload["error"]["code"] == "item_delete_invalid_item_id"
            worker.send_text("still there?")
            await rec.wait_for(lambda: rec.server("response.done"), what="response after the error")
            assert rec.states() == ["connecting", "connected"]


async def test_commands_before_connect_and_from_other_threads_are_delivered_in_order():
    async with Emulator(fast_options()) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (worker, rec):
            worker.send({"type": "conversation.item.create", "item": {
                "type": "message", "role": "user", "content": [{"type": "input_text", "text": "first"}]}})
            thread = threading.Thread(target=worker.send_text, args=("second",))
            thread.start()
            thread.join()
            await rec.wait_for(lambda: rec.server("response.done"), what="response.done")
            texts = [e["item"]["content"][0]["text"] for e in emu.received if e["type"] == "conversation.item.create"]
            assert texts == ["first", "second"]
            assert emu.received[0]["type"] == "session.update"


async def test_event_times_are_seconds_since_the_worker_started_and_monotonic():
    async with Emulator(fast_options()) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (worker, rec):
            worker.send_text("tick")
            await rec.wait_for(lambda: rec.server("response.done"))
            times = [e.t for e in rec.events]
            assert times == sorted(times) and 0 <= times[0] < 5


def test_normalisation_is_the_dialect_modules():
    # guard: the worker must not reinvent the dialect edge (one module translates)
    event = {"type": "response.text.delta", "delta": "x", "response_id": "r", "item_id": "i",
             "output_index": 0, "content_index": 0, "event_id": "e"}
    assert normalize_server_event(event, "beta")[0]["type"] == "response.output_text.delta"


async def test_stop_closes_the_socket_and_reports_disconnected():
    async with Emulator(fast_options()) as emu:
        async with running_worker(resolve_target_for_emulator(emu.url)) as (worker, rec):
            await rec.wait_for(lambda: "connected" in rec.states())
        assert rec.statuses[-1].state == "disconnected"
        session = emu.sessions[0]
        await asyncio.wait_for(session.ws.wait_closed(), 5)
        assert session.ws.close_code == 1000  # a clean close from the client, not a dropped socket
