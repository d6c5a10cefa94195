"""Batched sending: a burst of server events leaves in few socket writes, in order, held back by a slow client."""

from __future__ import annotations

import asyncio
import json

from emulator_helpers import connect, fast_options, recv, until, user_text

from rt_tui.emulator.protocol import encode_frame
from rt_tui.emulator.responder import Rule
from rt_tui.emulator.script import Script
from rt_tui.emulator.server import Emulator
from rt_tui.emulator.validate import assert_valid

LONG = " ".join(f"Sentence {i} of a long spoken answer, with a few more words in it." for i in range(12))


def flood_options(reply: str = LONG):
    return fast_options(realtime_factor=100_000.0, first_delta_ms=0.0, script=Script((Rule(".", reply),)))


def count_writes(emu: Emulator) -> list[int]:
    """Sizes of the server's socket writes on its (only) connection, from now on."""
    transport = emu.sessions[0].ws.transport
    write, sizes = transport.write, []

    def counted(data: bytes) -> None:
        sizes.append(len(data))
        write(data)

    transport.write = counted
    return sizes


async def test_a_streamed_reply_leaves_in_batches_in_order():
    async with Emulator(flood_options()) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            writes = count_writes(emu)
            await conn.send({"type": "conversation.item.create", "item": user_text("talk")})
            await conn.send({"type": "response.create"})
            events = await until(conn, "rate_limits.updated")
    deltas = [e for e in events if e["type"] == "response.output_audio.delta"]
    assert len(events) > 200 and len(deltas) > 50
    assert [e["event_id"] for e in events] == [e["event_id"] for e in emu.sent[1:]]  # all of them, in order
    assert len(writes) * 4 < len(events), f"{len(writes)} writes for {len(events)} events"
    assert_valid(emu.sent, "ga")


async def test_a_client_that_stops_reading_holds_the_stream_back():
    async with Emulator(flood_options(" ".join([LONG] * 6))) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            await conn.send({"type": "conversation.item.create", "item": user_text("talk")})
            await conn.send({"type": "response.create"})
            await until(conn, "response.output_audio.delta")
            await asyncio.sleep(1.0)  # not reading: the socket fills, then the emulator must wait
            session = emu.sessions[0]
            assert session.active is not None, "the whole reply went out to a client that was not reading"
            assert session.ws.transport.get_write_buffer_size() < 1_000_000
            events = await until(conn, "rate_limits.updated", timeout=30)
    assert events[-2]["type"] == "response.done"
    assert events[-2]["response"]["status"] == "completed"


def test_frames_are_utf8_json_even_for_what_orjson_refuses():
    event = {"type": "response.done", "response": {"metadata": {"note": "naïve ☃"}}}
    assert json.loads(encode_frame(event)) == event
    huge = {"type": "session.updated", "session": {"tools": [{"parameters": {"maximum": 2**70}}]}}
    assert json.loads(encode_frame(huge)) == huge  # beyond orjson's 64 bits: json writes it
