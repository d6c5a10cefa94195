from __future__ import annotations

import asyncio
import copy

import pytest
from sdk_strict import assert_strict_event

from rt_tui.core.dialect import (beta_session_to_ga, beta_transcription_session_to_ga, ga_session_to_beta,
                                 ga_transcription_to_beta, normalize_server_event, render_client_event)
from rt_tui.core.session import SessionConfig

BETA_SESSION_EXTRAS = ("object", "expires_at", "include", "client_secret")
USAGE = {
    "total_tokens": 40,
    "input_tokens": 25,
    "output_tokens": 15,
    "input_token_details": {"text_tokens": 25, "audio_tokens": 0, "cached_tokens": 0},
    "output_token_details": {"text_tokens": 5, "audio_tokens": 10},
}


def beta_session() -> dict:
    return {
        "id": "sess_BETA1",
        "object": "realtime.session",
        "model": "gpt-4o-realtime-preview",
        "expires_at": 1_900_000_000,
        "modalities": ["audio", "text"],
        "instructions": "You are terse.",
        "voice": "alloy",
        "input_audio_format": "pcm16",
        "output_audio_format": "g711_ulaw",
        "input_audio_transcription": {"model": "whisper-1"},
        "input_audio_noise_reduction": None,
        "turn_detection": {
            "type": "server_vad",
            "threshold": 0.5,
            "prefix_padding_ms": 300,
            "silence_duration_ms": 200,
            "create_response": True,
            "interrupt_response": True,
        },
        "tools": [],
        "tool_choice": "auto",
        "temperature": 0.8,
        "max_response_output_tokens": "inf",
        "speed": 1.0,
        "tracing": None,
        "include": None,
        "client_secret": {"value": "ek_secret", "expires_at": 1_900_000_000},
    }


def beta_response(status: str, output: list, usage: dict | None, details: dict | None = None) -> dict:
    return {
        "id": "resp_1",
        "object": "realtime.response",
        "status": status,
        "status_details": details,
        "output": output,
        "usage": usage,
        "conversation_id": "conv_1",
        "modalities": ["audio", "text"],
        "voice": "alloy",
        "output_audio_format": "pcm16",
        "temperature": 0.8,
        "max_output_tokens": "inf",
        "metadata": None,
    }


def c(kind: str, **fields) -> dict:  # response-content events carry the same four ids
    return {"type": kind, "event_id": f"event_{kind}", "response_id": "resp_1", "item_id": "item_A1",
            "output_index": 0, "content_index": 0, **fields}


USER_ITEM = {"id": "item_U1", "object": "realtime.item", "type": "message", "status": "completed", "role": "user",
             "content": [{"type": "input_text", "text": "Hello"}]}


def assistant(status: str, content: list) -> dict:
    return {"id": "item_A1", "object": "realtime.item", "type": "message", "status": status, "role": "assistant",
            "content": content}


BETA_AUDIO_TURN = [
    {"type": "session.created", "event_id": "event_1", "session": beta_session()},
    {"type": "conversation.item.created", "event_id": "event_2", "previous_item_id": None, "item": USER_ITEM},
    {"type": "response.created", "event_id": "event_3", "response": beta_response("in_progress", [], None)},
    {"type": "response.output_item.added", "event_id": "event_4", "response_id": "resp_1", "output_index": 0,
     "item": assistant("in_progress", [])},
    {"type": "conversation.item.created", "event_id": "event_5", "previous_item_id": "item_U1",
     "item": assistant("in_progress", [])},
    c("response.content_part.added", part={"type": "audio", "transcript": ""}),
    c("response.audio_transcript.delta", delta="Hi "),
    c("response.audio.delta", delta="AAAA"),
    c("response.audio_transcript.delta", delta="there"),
    c("response.audio.done"),
    c("response.audio_transcript.done", transcript="Hi there"),
    c("response.content_part.done", part={"type": "audio", "transcript": "Hi there"}),
    {"type": "response.output_item.done", "event_id": "event_6", "response_id": "resp_1", "output_index": 0,
     "item": assistant("completed", [{"type": "audio", "transcript": "Hi there"}])},
    {"type": "response.done", "event_id": "event_7",
     "response": beta_response("completed", [assistant("completed", [{"type": "audio", "transcript": "Hi there"}])],
                               USAGE)},
    {"type": "rate_limits.updated", "event_id": "event_8",
     "rate_limits": [{"name": "tokens", "limit": 1000, "remaining": 960, "reset_seconds": 1.2}]},
]

BETA_TEXT_TURN = [
    c("response.content_part.added", part={"type": "text", "text": ""}),
    c("response.text.delta", delta="Hi"),
    c("response.text.done", text="Hi"),
    {"type": "conversation.item.retrieved", "event_id": "event_9",
     "item": assistant("completed", [{"type": "text", "text": "Hi"}])},
]

BETA_FUNCTION_CALL = [
    {"type": "response.output_item.added", "event_id": "event_f1", "response_id": "resp_1", "output_index": 0,
     "item": {"id": "item_F1", "object": "realtime.item", "type": "function_call", "status": "in_progress",
              "call_id": "call_1", "name": "get_weather", "arguments": ""}},
    {"type": "response.function_call_arguments.delta", "event_id": "event_f2", "response_id": "resp_1",
     "item_id": "item_F1", "output_index": 0, "call_id": "call_1", "delta": "{\"city\":"},
    {"type": "response.function_call_arguments.done", "event_id": "event_f3", "response_id": "resp_1",
     "item_id": "item_F1", "output_index": 0, "call_id": "call_1", "arguments": "{\"city\":\"Oslo\"}"},
]

VAD_EVENTS = [
    {"type": "input_audio_buffer.speech_started", "event_id": "event_v1", "audio_start_ms": 100, "item_id": "item_U2"},
    {"type": "input_audio_buffer.speech_stopped", "event_id": "event_v2", "audio_end_ms": 900, "item_id": "item_U2"},
    {"type": "input_audio_buffer.committed", "event_id": "event_v3", "previous_item_id": "item_A1",
     "item_id": "item_U2"},
    {"type": "conversation.item.input_audio_transcription.completed", "event_id": "event_v4", "item_id": "item_U2",
     "content_index": 0, "transcript": "hello",
     "usage": {"type": "duration", "seconds": 0.8}},
    {"type": "error", "event_id": "event_e1",
     "error": {"type": "invalid_request_error", "code": "invalid_value", "message": "nope", "param": None,
               "event_id": None}},
]

ALL_BETA = BETA_AUDIO_TURN + BETA_TEXT_TURN + BETA_FUNCTION_CALL + VAD_EVENTS


def normalize_all(events: list[dict]) -> list[dict]:
    return [ga for raw in events for ga in normalize_server_event(raw, "beta")]


@pytest.mark.parametrize("raw", ALL_BETA, ids=lambda raw: raw["type"])
def test_fixtures_are_real_beta_events(raw):
    allow = BETA_SESSION_EXTRAS if raw["type"] == "session.created" else ()
    assert_strict_event(raw, "beta", allow=allow)


@pytest.mark.parametrize("raw", ALL_BETA, ids=lambda raw: raw["type"])
def test_every_normalised_beta_event_is_a_valid_ga_event(raw):
    for event in normalize_server_event(copy.deepcopy(raw), "beta"):
        if event["type"] == "response.function_call_arguments.done":
            # the one gap a stateless edge cannot fill: beta's .done has no `name` (the item carried it)
            assert "name" not in event
            event = {**event, "name": "get_weather"}
        assert_strict_event(event, "ga", allow=("temperature",))


def test_beta_names_become_ga_names():
    types = [event["type"] for event in normalize_all(BETA_AUDIO_TURN + BETA_TEXT_TURN)]
    assert "response.output_audio_transcript.delta" in types
    assert "response.output_audio.delta" in types
    assert "response.output_audio.done" in types
    assert "response.output_audio_transcript.done" in types
    assert "response.output_text.delta" in types and "response.output_text.done" in types
    assert not [t for t in types if t.startswith(("response.audio", "response.text")) or t.endswith(".created")
                and t.startswith("conversation.item")]


def test_completed_item_created_becomes_added_then_done_in_progress_only_added():
    user = normalize_server_event(BETA_AUDIO_TURN[1], "beta")
    assert [event["type"] for event in user] == ["conversation.item.added", "conversation.item.done"]
    assert user[0]["item"] == USER_ITEM and user[0]["previous_item_id"] is None
    assert user[0]["event_id"] != user[1]["event_id"]
    model_item = normalize_server_event(BETA_AUDIO_TURN[4], "beta")
    assert [event["type"] for event in model_item] == ["conversation.item.added"]
    assert model_item[0]["previous_item_id"] == "item_U1"


def test_session_becomes_nested_ga_without_the_secret():
    [event] = normalize_server_event(BETA_AUDIO_TURN[0], "beta")
    session = event["session"]
    assert session["type"] == "realtime"
    assert session["output_modalities"] == ["audio"]
    assert session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert session["audio"]["output"]["format"] == {"type": "audio/pcmu"}
    assert session["audio"]["output"]["voice"] == "alloy"
    assert session["audio"]["input"]["transcription"] == {"model": "whisper-1"}
    assert session["audio"]["input"]["turn_detection"]["threshold"] == 0.5
    assert session["max_output_tokens"] == "inf"
    assert "client_secret" not in session and "ek_secret" not in repr(event)
    cfg = SessionConfig.from_ga_session(session)
    assert (cfg.voice, cfg.temperature, cfg.transcription_model) == ("alloy", 0.8, "whisper-1")
    assert cfg.instructions == "You are terse."


def test_every_session_field_goes_to_ga_and_back_unchanged():
    beta = {"modalities": ["audio", "text"], "max_response_output_tokens": 200, "tool_choice": "get_weather",
            "input_audio_format": "g711_ulaw", "input_audio_transcription": {"model": "whisper-1"},
            "input_audio_noise_reduction": {"type": "near_field"},
            "turn_detection": {"type": "server_vad", "threshold": 0.6}, "output_audio_format": "pcm16",
            "voice": "ash", "speed": 1.1, "instructions": "Be brief.", "tools": [], "temperature": 0.7}
    ga = beta_session_to_ga(beta)
    assert ga["output_modalities"] == ["audio"] and ga["max_output_tokens"] == 200
    assert ga["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert ga["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert ga["audio"]["output"] == {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "ash", "speed": 1.1}
    assert ga_session_to_beta(ga) == beta
    transcription = {"input_audio_format": "pcm16", "input_audio_transcription": {"model": "gpt-4o-transcribe"},
                     "input_audio_noise_reduction": None, "turn_detection": None, "include": []}
    ga = beta_transcription_session_to_ga(transcription)
    assert set(ga["audio"]) == {"input"} and ga["audio"]["input"]["transcription"] == {"model": "gpt-4o-transcribe"}
    assert ga_transcription_to_beta(ga) == transcription


def test_text_only_beta_session_and_forced_tool():
    session = beta_session() | {"modalities": ["text"], "tool_choice": "get_weather"}
    [event] = normalize_server_event({"type": "session.updated", "event_id": "e", "session": session}, "beta")
    assert event["session"]["output_modalities"] == ["text"]
    assert event["session"]["tool_choice"] == {"type": "function", "name": "get_weather"}


def test_response_object_and_assistant_content_become_ga():
    done = normalize_server_event(BETA_AUDIO_TURN[13], "beta")[0]["response"]
    assert done["output_modalities"] == ["audio"]
    assert done["audio"] == {"output": {"voice": "alloy", "format": {"type": "audio/pcm", "rate": 24000}}}
    assert done["output"][0]["content"] == [{"type": "output_audio", "transcript": "Hi there"}]
    assert "modalities" not in done and "voice" not in done
    item = normalize_server_event(BETA_AUDIO_TURN[12], "beta")[0]["item"]
    assert item["content"][0]["type"] == "output_audio"
    retrieved = normalize_server_event(BETA_TEXT_TURN[3], "beta")[0]["item"]
    assert retrieved["content"][0]["type"] == "output_text"
    user = normalize_server_event(BETA_AUDIO_TURN[1], "beta")[0]["item"]
    assert user["content"][0]["type"] == "input_text"  # user content is the same in both dialects


def test_normalising_does_not_mutate_the_received_event():
    raw = copy.deepcopy(BETA_AUDIO_TURN[13])
    normalize_server_event(raw, "beta")
    assert raw == BETA_AUDIO_TURN[13]


def test_transcription_session_updated_becomes_session_updated():
    raw = {"type": "transcription_session.updated", "event_id": "event_t",
           "session": {"input_audio_format": "pcm16", "input_audio_transcription": {"model": "gpt-4o-transcribe"},
                       "turn_detection": None, "modalities": ["text"]}}
    [event] = normalize_server_event(raw, "beta")
    assert event["type"] == "session.updated"
    assert event["session"]["type"] == "transcription"
    assert event["session"]["audio"]["input"]["transcription"] == {"model": "gpt-4o-transcribe"}


def test_ga_events_pass_through_as_the_same_objects():
    ga_events = [
        {"type": "response.output_text.delta", "event_id": "e1", "response_id": "r", "item_id": "i",
         "output_index": 0, "content_index": 0, "delta": "x", "obfuscation": "ab"},
        {"type": "conversation.item.added", "event_id": "e2", "item": USER_ITEM},
        {"type": "session.created", "event_id": "e3", "session": {"type": "realtime"}},
    ]
    for event in ga_events:
        result = normalize_server_event(event, "ga")
        assert len(result) == 1 and result[0] is event


@pytest.mark.parametrize("dialect", ["ga", "beta"])
def test_unknown_and_malformed_events_pass_through(dialect):
    for odd in (
        {"type": "response.future_thing.delta", "event_id": "e", "x": 1},
        {"type": "session.created", "event_id": "e", "session": "not an object"},
        {"type": "response.done", "event_id": "e", "response": ["nope"]},
        {"event_id": "no type"},
    ):
        assert normalize_server_event(odd, dialect) == [odd]


# ------------------------------------------------------------------------------------ client events


def test_ga_client_events_render_unchanged_for_ga():
    event = {"type": "response.create", "response": {"output_modalities": ["text"]}}
    assert render_client_event(event, "ga") is event


def test_response_create_renders_to_beta():
    ga_event = {
        "type": "response.create",
        "event_id": "evt_client_1",
        "response": {
            "output_modalities": ["audio"],
            "instructions": "Shout.",
            "max_output_tokens": 50,
            "audio": {"output": {"voice": "ash", "format": {"type": "audio/pcma"}}},
            "tool_choice": {"type": "function", "name": "get_weather"},
            "conversation": "none",
            "metadata": {"topic": "x"},
            "parallel_tool_calls": True,
            "input": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi"}]}],
        },
    }
    assert_strict_event(ga_event, "ga", "client")
    beta = render_client_event(ga_event, "beta")
    assert_strict_event(beta, "beta", "client")
    response = beta["response"]
    assert response["modalities"] == ["audio", "text"]
    assert (response["voice"], response["output_audio_format"]) == ("ash", "g711_alaw")
    assert response["max_response_output_tokens"] == 50
    assert response["tool_choice"] == "get_weather"
    assert "parallel_tool_calls" not in response
    assert response["input"][0]["content"] == [{"type": "text", "text": "Hi"}]
    assert ga_event["response"]["output_modalities"] == ["audio"]  # the GA event is not mutated


def test_item_create_renders_assistant_history_to_beta():
    user = {"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                                                          "content": [{"type": "input_text", "text": "Hi"}]}}
    assert render_client_event(user, "beta") == user
    history = {"type": "conversation.item.create", "previous_item_id": "item_U1",
               "item": {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Yo"}]}}
    beta = render_client_event(history, "beta")
    assert_strict_event(beta, "beta", "client")
    assert beta["item"]["content"] == [{"type": "text", "text": "Yo"}]


def test_session_update_renders_like_session_config():
    cfg = SessionConfig(
        output_modalities="text",
        turn_detection={"idle_timeout_ms": 8000},
        transcription_model="whisper-1",
        noise_reduction="near_field",
        tools=[{"name": "get_weather", "parameters": {"type": "object", "properties": {}}}],
        tool_choice={"type": "function", "name": "get_weather"},
    )
    rendered = render_client_event(cfg.session_update("ga"), "beta")
    assert rendered == cfg.session_update("beta")
    assert_strict_event(rendered, "beta", "client")


def test_transcription_session_update_renders_to_its_beta_event():
    ga_event = {"type": "session.update", "session": {"type": "transcription", "audio": {"input": {
        "format": {"type": "audio/pcm", "rate": 24000}, "transcription": {"model": "whisper-1"},
        "turn_detection": None}}}}
    beta = render_client_event(ga_event, "beta")
    assert beta["type"] == "transcription_session.update"
    assert_strict_event(beta, "beta", "client")


@pytest.mark.parametrize("kind", ["input_audio_buffer.append", "conversation.item.truncate", "response.cancel",
                                  "conversation.item.delete", "input_audio_buffer.commit"])
def test_shared_client_events_are_unchanged_in_beta(kind):
    event = {"type": kind, "item_id": "item_A1", "audio": "AAAA", "content_index": 0, "audio_end_ms": 10}
    assert render_client_event(event, "beta") == event


# ---------------------------------------------------------------------------- against the emulator


@pytest.mark.timeout(60)
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_round_trip_through_the_emulator_builds_the_conversation(dialect):
    """Real SDK, real server: render our client events, normalise its raw frames, reduce them."""
    import json

    import openai

    from rt_tui.core.conversation import Conversation, reduce
    from rt_tui.core.events import Event
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator

    config = SessionConfig(instructions="Be brief.", voice="alloy", turn_detection={"type": "none"})
    async with Emulator(EmulatorOptions(realtime_factor=50.0, first_delta_ms=10)) as emu:
        http = emu.url.replace("ws://", "http://")
        if dialect == "ga":
            client = openai.AsyncOpenAI(api_key="local", base_url=f"{http}/v1", websocket_base_url=f"{emu.url}/v1")
            manager = client.realtime.connect(model="gpt-realtime")
        else:
            client = openai.AsyncAzureOpenAI(api_key="local", azure_endpoint=http, api_version="2025-04-01-preview",
                                             websocket_base_url=f"{emu.url}/openai")
            manager = client.beta.realtime.connect(model="gpt-realtime")
        state, events = Conversation.empty(), []
        async with manager as connection:
            for ga_event in (
                config.session_update("ga"),
                {"type": "conversation.item.create", "item": {
                    "type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hello there"}]}},
                {"type": "response.create"},
            ):
                wire = (config.session_update(dialect) if ga_event["type"] == "session.update"
                        else render_client_event(ga_event, dialect))
                await connection.send(wire)
                state = reduce(state, Event("client", ga_event["type"], ga_event, 0.0))
            while True:
                raw = json.loads(await asyncio.wait_for(connection.recv_bytes(), 20))
                assert_strict_event(raw, dialect, allow=BETA_SESSION_EXTRAS if dialect == "beta" else ())
                for ga in normalize_server_event(raw, dialect):
                    events.append(ga)
                    state = reduce(state, Event("server", ga["type"], ga, 0.0, wire_type=raw["type"]))
                if raw["type"] == "response.done":
                    break
        await client.close()
    types = [event["type"] for event in events]
    assert "response.output_audio_transcript.delta" in types and "response.output_audio.delta" in types
    assert [update["type"] for update in emu.received][:1] == [
        "session.update"], "our session.update was accepted by the server"
    assert "error" not in types, [event for event in events if event["type"] == "error"]
    updated = [event for event in events if event["type"] == "session.updated"][-1]
    reflected = SessionConfig.from_ga_session(updated["session"])
    assert reflected.model_copy(update={"temperature": None}) == config
    user, answer = state.turns
    assert (user.role, user.text, user.status) == ("user", "Hello there", "completed")
    assert (answer.role, answer.status, answer.has_audio) == ("assistant", "completed", True)
    assert answer.text and answer.audio_ms > 0 and answer.usage is not None
    assert state.usage_totals == answer.usage and state.active_response_id is None
