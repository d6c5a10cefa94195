"""session.update: merge, and the service's error events for each kind of mistake (both dialects)."""

from __future__ import annotations

import pytest
from emulator_helpers import connect, recv, until

from rt_tui.emulator.validate import assert_valid

BETA = "2025-04-01-preview"


async def _update(conn, session):
    await conn.send({"type": "session.update", "event_id": "upd_1", "session": session})
    return (await until(conn, "session.updated", "error"))[-1]


async def test_partial_update_merges_and_reports_the_full_session(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        first = await _update(conn, {"type": "realtime", "instructions": "Talk like a pirate.",
                                     "audio": {"output": {"voice": "cedar"}}})
        second = await _update(conn, {"type": "realtime", "output_modalities": ["text"],
                                      "audio": {"input": {"turn_detection": None,
                                                          "transcription": {"model": "gpt-4o-transcribe"}}}})
    assert first["type"] == "session.updated"
    session = second["session"]
    assert session["instructions"] == "Talk like a pirate."
    assert session["audio"]["output"]["voice"] == "cedar"
    assert session["output_modalities"] == ["text"]
    assert session["audio"]["input"]["turn_detection"] is None
    assert session["audio"]["input"]["transcription"]["model"] == "gpt-4o-transcribe"
    assert_valid(emulator.sent, "ga")


async def test_turn_detection_object_takes_defaults_for_missing_fields(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        event = await _update(conn, {"type": "realtime", "audio": {"input": {"turn_detection": {
            "type": "semantic_vad", "eagerness": "high"}}}})
    assert event["session"]["audio"]["input"]["turn_detection"] == {
        "type": "semantic_vad", "eagerness": "high", "create_response": True, "interrupt_response": True}


@pytest.mark.parametrize("session, code, param, message", [
    ({"instructions": "x"}, "missing_required_parameter", "session.type",
     "Missing required parameter: 'session.type'."),
    ({"type": "voice"}, "invalid_value", "session.type",
     "Invalid value: 'voice'. Supported values are: 'realtime' and 'transcription'."),
    ({"type": "realtime", "bogus_field": 1}, "unknown_parameter", "session.bogus_field",
     "Unknown parameter: 'session.bogus_field'."),
    ({"type": "realtime", "audio": {"input": {"bogus": 1}}}, "unknown_parameter", "session.audio.input.bogus",
     "Unknown parameter: 'session.audio.input.bogus'."),
    ({"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}},
     "integer_below_min_value", "session.audio.input.format.rate",
     "Invalid 'session.audio.input.format.rate': integer below minimum value. Expected a value >= 24000, "
     "but got 16000 instead."),
    ({"type": "realtime", "output_modalities": ["text", "audio"]}, "invalid_value", "session.output_modalities",
     None),
    ({"output_modalities": ["text", "audio"]}, "missing_required_parameter", "session.type", None),
    ({"type": "realtime", "audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 1.5}}}},
     "decimal_above_max_value", "session.audio.input.turn_detection.threshold", None),
    ({"type": "realtime", "max_output_tokens": 0}, "integer_below_min_value", "session.max_output_tokens", None),
    ({"type": "realtime", "audio": {"output": {"voice": "robot"}}}, "invalid_value", "session.audio.output.voice",
     None),
    ({"type": "realtime", "audio": {"input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 10}}}},
     "integer_below_min_value", "session.audio.input.turn_detection.idle_timeout_ms", None),
    ({"type": "transcription"}, "invalid_value", "session.type",
     "Passing a transcription session update event to a realtime session is not allowed."),
])
async def test_ga_rejections(emulator, session, code, param, message):
    async with connect(emulator) as conn:
        await recv(conn)
        event = await _update(conn, session)
        # the rejected update changed nothing
        after = await _update(conn, {"type": "realtime"})
    assert event["type"] == "error"
    error = event["error"]
    assert (error["type"], error["code"], error["param"], error["event_id"]) == (
        "invalid_request_error", code, param, "upd_1")
    if message:
        assert error["message"] == message
    assert after["session"]["output_modalities"] == ["audio"]
    assert after["session"]["audio"]["input"]["format"]["rate"] == 24000
    assert_valid(emulator.sent, "ga")


@pytest.mark.parametrize("session, code, param", [
    ({"modalities": ["audio"]}, "invalid_value", "session.modalities"),
    ({"output_modalities": ["text"]}, "unknown_parameter", "session.output_modalities"),
    ({"type": "realtime"}, "unknown_parameter", "session.type"),
    ({"temperature": 2.0}, "decimal_above_max_value", "session.temperature"),
])
async def test_beta_rejections(emulator, session, code, param):
    async with connect(emulator, "classic", api_version=BETA) as conn:
        await recv(conn)
        event = await _update(conn, session)
    assert (event["error"]["code"], event["error"]["param"]) == (code, param)
    if param == "session.modalities":
        assert event["error"]["message"] == ("Invalid modalities: ['audio']. Supported combinations are: "
                                             "['text'] and ['audio', 'text'].")
    assert_valid(emulator.sent, "beta")


async def test_beta_flat_update_is_applied(emulator):
    async with connect(emulator, "classic", api_version=BETA) as conn:
        await recv(conn)
        event = await _update(conn, {"modalities": ["text"], "voice": "verse", "temperature": 0.7,
                                     "input_audio_format": "g711_ulaw", "turn_detection": None,
                                     "max_response_output_tokens": 300})
    session = event["session"]
    assert session["modalities"] == ["text"] and session["voice"] == "verse"
    assert session["temperature"] == 0.7 and session["input_audio_format"] == "g711_ulaw"
    assert session["turn_detection"] is None and session["max_response_output_tokens"] == 300
    assert_valid(emulator.sent, "beta")


async def test_voice_is_locked_once_assistant_audio_exists(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}})
        await conn.send({"type": "response.create"})
        await until(conn, "response.done")
        event = await _update(conn, {"type": "realtime", "audio": {"output": {"voice": "ash"}}})
        same = await _update(conn, {"type": "realtime", "audio": {"output": {"voice": "marin"}}})
    assert event["error"]["code"] == "cannot_update_voice"
    assert event["error"]["message"] == "Cannot update a conversation's voice if assistant audio is present."
    assert event["error"]["param"] is None
    assert same["type"] == "session.updated"
