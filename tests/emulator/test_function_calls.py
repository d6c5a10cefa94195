"""Function calling: scripted weather/time patterns, streamed arguments, answering from the output."""

from __future__ import annotations

import json

import pytest
from emulator_helpers import connect, recv, types, until, user_text

from rt_tui.emulator.validate import assert_valid

WEATHER = {"type": "function", "name": "get_weather", "description": "Current weather for a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
CLOCK = {"type": "function", "name": "get_time", "description": "Current time",
         "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}}}


def _collapse(names):
    return [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n]


async def _configure(conn, dialect, **extra):
    if dialect == "ga":
        session = {"type": "realtime", "output_modalities": ["text"], "tools": [WEATHER, CLOCK], **extra}
    else:
        session = {"modalities": ["text"], "tools": [WEATHER, CLOCK], **extra}
    await conn.send({"type": "session.update", "session": session})
    await until(conn, "session.updated")


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_weather_call_then_answer_from_output(emulator, dialect):
    route = "v1" if dialect == "ga" else "classic"
    async with connect(emulator, route, api_version="2025-04-01-preview") as conn:
        await recv(conn)
        await _configure(conn, dialect)
        await conn.send({"type": "conversation.item.create", "item": user_text("What's the weather in Paris?")})
        await conn.send({"type": "response.create"})
        call_events = await until(conn, "rate_limits.updated")
        call = [e for e in call_events if e["type"] == "response.output_item.done"][0]["item"]
        await conn.send({"type": "conversation.item.create", "item": {
            "type": "function_call_output", "call_id": call["call_id"],
            "output": json.dumps({"temperature_c": 18, "sky": "cloudy"})}})
        await conn.send({"type": "response.create"})
        answer = await until(conn, "rate_limits.updated")
    names = _collapse(types(call_events))
    expected = ["conversation.item.added", "conversation.item.done", "response.created", "response.output_item.added",
                "conversation.item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "conversation.item.done", "response.output_item.done",
                "response.done", "rate_limits.updated"]
    if dialect == "beta":
        expected = [n.replace("conversation.item.added", "conversation.item.created") for n in expected
                    if n != "conversation.item.done"]
    assert names == expected
    deltas = "".join(e["delta"] for e in call_events if e["type"] == "response.function_call_arguments.delta")
    assert json.loads(deltas) == {"city": "Paris"}
    assert len([e for e in call_events if e["type"] == "response.function_call_arguments.delta"]) > 1
    assert call["name"] == "get_weather" and call["call_id"].startswith("call_") and call["status"] == "completed"
    assert json.loads(call["arguments"]) == {"city": "Paris"}
    text_type = "response.output_text.done" if dialect == "ga" else "response.text.done"
    said = [e for e in answer if e["type"] == text_type][0]["text"]
    assert said == "The get_weather tool says: temperature c 18, sky cloudy."
    assert_valid(emulator.sent, dialect)


async def test_time_call_and_tool_choice_none(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await _configure(conn, "ga")
        await conn.send({"type": "conversation.item.create", "item": user_text("What time is it in Tokyo?")})
        await conn.send({"type": "response.create"})
        called = await until(conn, "response.done")
        await conn.send({"type": "conversation.item.create", "item": user_text("What time is it?")})
        await conn.send({"type": "response.create", "response": {"tool_choice": "none"}})
        refused = await until(conn, "response.done")
    call = called[-1]["response"]["output"][0]
    assert call["type"] == "function_call" and call["name"] == "get_time"
    assert json.loads(call["arguments"]) == {"timezone": "Tokyo"}
    assert refused[-1]["response"]["output"][0]["type"] == "message"


async def test_weather_without_a_tool_says_so(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
        await until(conn, "session.updated")
        await conn.send({"type": "conversation.item.create", "item": user_text("How's the weather in Oslo?")})
        await conn.send({"type": "response.create"})
        events = await until(conn, "response.done")
    text = events[-1]["response"]["output"][0]["content"][0]["text"]
    assert text == "I can't look up the weather: this session declares no weather tool."


async def test_beta_tool_choice_names_a_function(emulator):
    """The beta SDK types tool_choice as a string: naming a declared function forces that call."""
    async with connect(emulator, "classic", api_version="2025-04-01-preview") as conn:
        await recv(conn)
        await conn.send({"type": "session.update", "session": {
            "modalities": ["text"], "tools": [WEATHER, CLOCK], "tool_choice": "get_time"}})
        updated = (await until(conn, "session.updated"))[-1]
        await conn.send({"type": "conversation.item.create", "item": user_text("Hello there")})
        await conn.send({"type": "response.create"})
        done = (await until(conn, "response.done"))[-1]
    assert updated["session"]["tool_choice"] == "get_time"
    call = done["response"]["output"][0]
    assert call["type"] == "function_call" and call["name"] == "get_time"
    assert_valid(emulator.sent, "beta")


async def test_a_forced_choice_forces_the_response_after_the_output_too(emulator):
    """As on the service: only a response-level tool_choice "auto" lets the model answer the output."""
    async with connect(emulator) as conn:
        await recv(conn)
        await _configure(conn, "ga", tool_choice="required")
        await conn.send({"type": "conversation.item.create", "item": user_text("Hello there")})
        await conn.send({"type": "response.create"})
        first = (await until(conn, "response.done"))[-1]["response"]["output"][0]
        await conn.send({"type": "conversation.item.create", "item": {
            "type": "function_call_output", "call_id": first["call_id"], "output": "{}"}})
        await conn.send({"type": "response.create"})
        again = (await until(conn, "response.done"))[-1]["response"]["output"][0]
        await conn.send({"type": "conversation.item.create", "item": {
            "type": "function_call_output", "call_id": again["call_id"], "output": '{"sky": "clear"}'}})
        await conn.send({"type": "response.create", "response": {"tool_choice": "auto"}})
        answer = (await until(conn, "response.done"))[-1]["response"]["output"][0]
    assert first["type"] == again["type"] == "function_call" and again["call_id"] != first["call_id"]
    assert answer["type"] == "message" and "clear" in answer["content"][0]["text"]
