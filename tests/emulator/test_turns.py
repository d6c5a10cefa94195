"""Text and audio turns: the §4 event sequences in both dialects, pacing, cancel, items, usage."""

from __future__ import annotations

import base64
import time

import pytest
from emulator_helpers import connect, fast_options, recv, types, until, user_text

from rt_tui.emulator.server import Emulator
from rt_tui.emulator.validate import assert_valid

BETA = "2025-04-01-preview"
TEXT_ONLY = {"type": "realtime", "output_modalities": ["text"]}


def _collapse(names):
    """Runs of the same type collapsed to one, so sequences compare regardless of delta counts."""
    out = []
    for name in names:
        if not out or out[-1] != name:
            out.append(name)
    return out


async def _turn(conn, text, create=None):
    await conn.send({"type": "conversation.item.create", "item": user_text(text)})
    await conn.send({"type": "response.create", **({"response": create} if create else {})})
    return await until(conn, "rate_limits.updated")


async def test_ga_text_turn_sequence(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "session.update", "session": TEXT_ONLY})
        await until(conn, "session.updated")
        events = await _turn(conn, "hello there")
    assert _collapse(types(events)) == [
        "conversation.item.added", "conversation.item.done", "response.created", "response.output_item.added",
        "conversation.item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "conversation.item.done",
        "response.output_item.done", "response.done", "rate_limits.updated"]
    by_type = {e["type"]: e for e in events}
    text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert text.startswith("Hello!") and "emulator" in text
    assert by_type["response.output_text.done"]["text"] == text
    done = by_type["response.done"]["response"]
    assert done["status"] == "completed" and done["status_details"] is None
    assert done["output"][0]["content"] == [{"type": "output_text", "text": text}]
    assert by_type["response.content_part.added"]["part"] == {"type": "text", "text": ""}
    usage = done["usage"]
    assert usage["output_tokens"] == usage["output_token_details"]["text_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert by_type["rate_limits.updated"]["rate_limits"][0]["name"] == "tokens"
    assert_valid(emulator.sent, "ga")


async def test_beta_text_turn_sequence(emulator):
    async with connect(emulator, "classic", api_version=BETA) as conn:
        await recv(conn)
        await conn.send({"type": "session.update", "session": {"modalities": ["text"]}})
        await until(conn, "session.updated")
        events = await _turn(conn, "what can you do")
    assert _collapse(types(events)) == [
        "conversation.item.created", "response.created", "response.output_item.added",
        "conversation.item.created", "response.content_part.added", "response.text.delta", "response.text.done",
        "response.content_part.done", "response.output_item.done", "response.done", "rate_limits.updated"]
    done = [e for e in events if e["type"] == "response.done"][0]["response"]
    assert done["modalities"] == ["text"] and done["output"][0]["content"][0]["type"] == "text"
    assert "not a language model" in done["output"][0]["content"][0]["text"]
    assert_valid(emulator.sent, "beta")


@pytest.mark.parametrize("route, version, prefix", [("v1", None, "response.output_audio"),
                                                    ("classic", BETA, "response.audio")])
async def test_audio_turn_sequence_and_delta_sizes(emulator, route, version, prefix):
    async with connect(emulator, route, api_version=version or "2025-08-28") as conn:
        await recv(conn)
        events = await _turn(conn, "Tell me something long enough to need several audio chunks, please.")
    names = types(events)
    audio = [base64.b64decode(e["delta"]) for e in events if e["type"] == f"{prefix}.delta"]
    assert [len(a) for a in audio[:3]] == [4800, 7200, 12000]
    assert all(len(a) == 12000 for a in audio[2:-1]) and 0 < len(audio[-1]) <= 12000
    # transcript and audio interleave, the transcript running ahead
    first_transcript = names.index(f"{prefix}_transcript.delta")
    first_audio = names.index(f"{prefix}.delta")
    assert first_transcript < first_audio
    assert max(i for i, n in enumerate(names) if n == f"{prefix}_transcript.delta") > first_audio
    closing = [n for n in names if not n.endswith(".delta")]
    at = closing.index(f"{prefix}.done")
    assert closing[at:at + 3] == [f"{prefix}.done", f"{prefix}_transcript.done", "response.content_part.done"]
    done = [e for e in events if e["type"] == "response.done"][0]["response"]
    audio_ms = sum(len(a) for a in audio) / 48
    details = done["usage"]["output_token_details"]
    assert details["audio_tokens"] == pytest.approx(audio_ms / 50, abs=1)
    assert details["text_tokens"] > 0
    assert_valid(emulator.sent, "ga" if route == "v1" else "beta")


async def test_audio_is_paced_by_the_realtime_factor():
    async with Emulator(fast_options(realtime_factor=8.0)) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            start = time.monotonic()
            events = await _turn(conn, "hello")
            elapsed = time.monotonic() - start
    audio_s = sum(len(base64.b64decode(e["delta"])) for e in events
                  if e["type"] == "response.output_audio.delta") / 48000
    assert audio_s > 1.0
    assert audio_s / 8 * 0.8 <= elapsed <= audio_s / 8 + 1.0


async def test_first_delta_latency():
    async with Emulator(fast_options(first_delta_ms=300.0)) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            await conn.send({"type": "session.update", "session": TEXT_ONLY})
            await until(conn, "session.updated")
            await conn.send({"type": "conversation.item.create", "item": user_text("hi")})
            await conn.send({"type": "response.create"})
            await until(conn, "response.created")
            start = time.monotonic()
            await until(conn, "response.output_text.delta")
            assert time.monotonic() - start >= 0.25


async def test_cancel_closes_out_and_second_create_is_refused():
    async with Emulator(fast_options(realtime_factor=2.0)) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            await conn.send({"type": "conversation.item.create", "item": user_text("hello")})
            await conn.send({"type": "response.create"})
            await until(conn, "response.output_audio.delta")
            await conn.send({"type": "response.create", "event_id": "again"})
            error = (await until(conn, "error"))[-1]["error"]
            await conn.send({"type": "response.cancel"})
            events = await until(conn, "rate_limits.updated")
            await conn.send({"type": "response.cancel", "event_id": "late"})
            late = (await until(conn, "error"))[-1]["error"]
    assert error["code"] == "conversation_already_has_active_response" and error["event_id"] == "again"
    assert error["message"].startswith("Conversation already has an active response in progress: resp_")
    tail = [n for n in types(events) if not n.endswith(".delta")]
    assert tail == ["response.output_audio.done", "response.output_audio_transcript.done",
                    "response.content_part.done", "conversation.item.done", "response.output_item.done",
                    "response.done", "rate_limits.updated"]
    done = events[-2]["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
    assert done["output"][0]["status"] == "incomplete"
    assert (late["code"], late["message"], late["event_id"]) == (
        "response_cancel_not_active", "Cancellation failed: no active response found", "late")
    assert_valid(emu.sent, "ga")


async def test_out_of_band_response_writes_nothing_to_the_conversation(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        events = await _turn(conn, "hello", create={"conversation": "none", "output_modalities": ["text"],
                                                    "metadata": {"topic": "probe"}})
    assert "conversation.item.added" not in types(events)[2:]
    done = [e for e in events if e["type"] == "response.done"][0]["response"]
    assert done["conversation_id"] is None and done["metadata"] == {"topic": "probe"}
    assert done["output_modalities"] == ["text"]


async def test_retrieve_and_delete_items_and_their_errors(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "conversation.item.create", "item": {**user_text("keep me"), "id": "item_mine"}})
        await until(conn, "conversation.item.done")
        await conn.send({"type": "conversation.item.retrieve", "item_id": "item_mine"})
        retrieved = (await until(conn, "conversation.item.retrieved"))[-1]
        await conn.send({"type": "conversation.item.delete", "item_id": "item_mine"})
        deleted = (await until(conn, "conversation.item.deleted"))[-1]
        await conn.send({"type": "conversation.item.retrieve", "item_id": "item_mine"})
        missing = (await until(conn, "error"))[-1]["error"]
        await conn.send({"type": "conversation.item.delete", "item_id": "item_gone"})
        missing_delete = (await until(conn, "error"))[-1]["error"]
    assert retrieved["item"]["content"][0]["text"] == "keep me"
    assert deleted["item_id"] == "item_mine"
    assert (missing["code"], missing["message"], missing["param"]) == (
        "item_retrieve_invalid_item_id", "Error retrieving item: the item with id 'item_mine' does not exist.", None)
    assert missing_delete["code"] == "item_delete_invalid_item_id"
    assert_valid(emulator.sent, "ga")


async def test_invalid_items_are_refused(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "output_text", "text": "x"}]}})
        error = (await until(conn, "error"))[-1]["error"]
        await conn.send({"type": "conversation.item.create", "item": user_text("x"), "previous_item_id": "nope"})
        previous = (await until(conn, "error"))[-1]["error"]
    assert error["code"] == "invalid_value" and error["param"] == "item.content[0].type"
    assert previous["code"] == "item_create_invalid_previous_item_id"


async def test_max_output_tokens_cuts_the_reply_as_incomplete(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        events = await _turn(conn, "what can you do", create={"output_modalities": ["text"], "max_output_tokens": 3})
    done = [e for e in events if e["type"] == "response.done"][0]["response"]
    assert done["status"] == "incomplete"
    assert done["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert len(done["output"][0]["content"][0]["text"].split()) == 3


async def test_responder_reflects_instructions_and_echoes(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "session.update", "session": {**TEXT_ONLY, "instructions": "Answer in haiku."}})
        await until(conn, "session.updated")
        reflected = await _turn(conn, "What are your instructions?")
        echoed = await _turn(conn, "purple elephants dance")
    text = lambda evs: [e for e in evs if e["type"] == "response.output_text.done"][0]["text"]
    assert text(reflected) == "My instructions say: Answer in haiku."
    assert text(echoed) == "You said: purple elephants dance"
