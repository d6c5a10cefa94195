"""Tool definitions, the example tools' real implementations, and the function-call answering policy."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from rt_tui.core.conversation import Conversation, reduce
from rt_tui.core.events import Event
from rt_tui.core.session import SessionConfig
from rt_tui.core.tool_calls import CallDesk, normalise_output
from rt_tui.core.tool_examples import calculator, current_time, evaluate, weather, CalculatorError
from rt_tui.core.tools import EXAMPLE_TOOLS, ToolError, ToolLibrary, make_tool, parse_parameters, tool_from_table

# ------------------------------------------------------------------------------------ definitions


def test_invalid_json_names_line_and_column():
    with pytest.raises(ToolError) as caught:
        parse_parameters('{"type": "object",\n "properties": {]}')
    assert caught.value.field == "parameters"
    assert "not valid JSON" in caught.value.reason and "line 2" in caught.value.reason


@pytest.mark.parametrize("schema, words", [
    ('{"type": "object", "properties": {"city": {"type": "strin"}}}', ["properties.city.type", "string, number"]),
    ('{"type": "object", "required": "city"}', ["required", "array"]),
    ('[1, 2]', ["JSON object"]),
    ('{"type": "string"}', ["top level", "object"]),
])
def test_invalid_schema_is_refused_with_where_and_why(schema, words):
    with pytest.raises(ToolError) as caught:
        parse_parameters(schema)
    assert all(word in caught.value.reason for word in words), caught.value.reason


def test_valid_definition_and_its_session_tool():
    tool = make_tool("lookup_order", "Find an order", '{"type": "object", "properties": {"id": {"type": "integer"}}}',
                     enabled=True)
    assert tool.session_tool() == {"type": "function", "name": "lookup_order", "description": "Find an order",
                                   "parameters": {"type": "object", "properties": {"id": {"type": "integer"}}}}
    assert parse_parameters("  ") == {"type": "object", "properties": {}}


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "semi;colon"])
def test_bad_names_refused(name):
    with pytest.raises(ToolError) as caught:
        make_tool(name)
    assert caught.value.field == "name"


def test_auto_answer_needs_something_to_answer_with():
    with pytest.raises(ToolError) as caught:
        make_tool("f", auto_answer=True)
    assert caught.value.field == "auto_answer"
    assert make_tool("f", auto_answer=True, canned_outputs=["ok"]).answer("{}") == "ok"


def test_library_changes_and_session_tools_validate_in_session_config():
    library = ToolLibrary.examples().set_enabled("get_weather", True)
    assert [t["name"] for t in library.session_tools()] == ["get_weather"]
    config = SessionConfig().updated({"tools": library.session_tools(), "tool_choice": {"type": "function",
                                                                                         "name": "get_weather"}})
    assert config.to_ga_session()["tools"][0]["parameters"]["required"] == ["location"]
    renamed = library.put(make_tool("weather_now", enabled=True), replacing="get_weather")
    assert renamed.names() == ["get_current_time", "weather_now", "calculate"]
    with pytest.raises(ToolError):
        renamed.put(make_tool("calculate"), replacing="weather_now")
    assert renamed.remove("calculate").names() == ["get_current_time", "weather_now"]
    assert renamed.remove("calculate").with_missing_examples().names()[-2:] == ["get_weather", "calculate"]


def test_tables_round_trip_and_bad_tables_name_the_key():
    library = ToolLibrary.examples().set_enabled("calculate", True)
    again = ToolLibrary.from_tables(json.loads(json.dumps(library.to_tables())))
    assert again == library
    with pytest.raises(ToolError) as caught:
        ToolLibrary.from_tables([{"name": "a", "parameters": '{"type": "object"'}])
    assert caught.value.field == "tools[0].parameters"
    with pytest.raises(ToolError) as caught:
        tool_from_table({"name": "a", "colour": "red"})
    assert caught.value.field == "tools.colour"
    with pytest.raises(ToolError) as caught:
        ToolLibrary.from_tables([{"name": "a"}, {"name": "a"}])
    assert "twice" in caught.value.reason


def test_reflect_session_enables_listed_and_adds_unknown():
    library = ToolLibrary.examples().set_enabled("calculate", True)
    reflected = library.reflect_session([{"type": "function", "name": "get_weather", "description": "",
                                          "parameters": {"type": "object"}},
                                         {"type": "function", "name": "from_server", "parameters": {"type": "object"}}])
    assert [t.name for t in reflected.enabled()] == ["get_weather", "from_server"]


# ---------------------------------------------------------------------------------------- examples


def test_current_time_really_converts_zones():
    noon_utc = lambda: datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)  # noqa: E731
    assert current_time({"timezone": "Europe/Paris"}, now=noon_utc)["time"] == "13:00"
    tokyo = current_time({"timezone": "Tokyo"}, now=noon_utc)
    assert tokyo["timezone"] == "Asia/Tokyo" and tokyo["time"] == "21:00"
    assert current_time({"timezone": "new york"}, now=noon_utc)["time"] == "07:00"
    assert "error" in current_time({"timezone": "Atlantis"})


def test_weather_is_canned_and_deterministic():
    assert weather({"location": "Paris"})["conditions"] == "sunny"
    assert weather({"location": "Nowhere"})["source"] == "rt-tui canned data"
    assert "error" in weather({})


@pytest.mark.parametrize("expression, value", [
    ("2 + 3 * 4", 14), ("(2 + 3) * sqrt(16)", 20), ("2^10", 1024), ("7 // 2 + 7 % 2", 4), ("-3 ** 2", -9),
    ("round(pi, 3)", 3.142), ("1 / 4", 0.25),
])
def test_calculator_computes(expression, value):
    assert evaluate(expression) == value


@pytest.mark.parametrize("expression, words", [
    ("__import__('os').system('true')", "not allowed"), ("1 / 0", "division by zero"), ("9 ** 9 ** 9", "exponent"),
    ("10 ** 400", "too large"), ("open", "not allowed"), ("2 +", "not an arithmetic"), ("(-8) ** 0.5", "complex"),
    ("x" * 300, "longer"),
])
def test_calculator_refuses_what_is_not_arithmetic(expression, words):
    with pytest.raises(CalculatorError) as caught:
        evaluate(expression)
    assert words in str(caught.value)


def test_calculator_tool_output_and_examples_answer():
    assert calculator({"expression": "6*7"}) == {"expression": "6*7", "result": 42}
    calc = next(t for t in EXAMPLE_TOOLS if t.name == "calculate")
    assert json.loads(calc.answer('{"expression": "2**8"}'))["result"] == 256
    assert "error" in json.loads(calc.answer("not json"))


# ------------------------------------------------------------------------------------- answering

def _server(type_: str, **payload) -> Event:
    return Event("server", type_, {"type": type_, **payload}, 0.0, type_)


def _call_events(response_id: str, item_id: str, call_id: str, name: str, arguments: str, done: bool = True):
    item = {"id": item_id, "type": "function_call", "status": "in_progress", "name": name, "call_id": call_id,
            "arguments": ""}
    events = [_server("response.output_item.added", response_id=response_id, output_index=0, item=item),
              _server("response.function_call_arguments.delta", response_id=response_id, item_id=item_id,
                      output_index=0, call_id=call_id, delta=arguments)]
    if done:
        final = {**item, "status": "completed", "arguments": arguments}
        events += [_server("response.function_call_arguments.done", response_id=response_id, item_id=item_id,
                           output_index=0, call_id=call_id, name=name, arguments=arguments),
                   _server("conversation.item.done", item=final)]
    return events


def _state(events) -> Conversation:
    state = Conversation.empty()
    for event in events:
        state = reduce(state, event)
    return state


def test_answer_waits_for_the_response_to_end_and_for_every_parallel_call():
    started = [_server("response.created", response={"id": "resp_1", "status": "in_progress", "output": []})]
    calls = (_call_events("resp_1", "item_a", "call_a", "get_weather", '{"location": "Paris"}')
             + _call_events("resp_1", "item_b", "call_b", "calculate", '{"expression": "1+1"}'))
    state = _state(started + calls)
    desk = CallDesk()
    assert [t.call_id for t in desk.pending(state.turns)] == ["call_a", "call_b"]
    events = desk.answer(state.turns, state.active_response_id, "call_a", '{"temperature_c": 21}')
    assert events == [{"type": "conversation.item.create", "item": {
        "type": "function_call_output", "call_id": "call_a", "output": '{"temperature_c": 21}'}}]
    assert [t.call_id for t in desk.pending(state.turns)] == ["call_b"]
    done = reduce(state, _server("response.done", response={"id": "resp_1", "status": "completed", "output": []}))
    assert done.active_response_id is None
    assert desk.due(done.turns, done.active_response_id) == []  # call_b is still unanswered
    events = desk.answer(done.turns, done.active_response_id, "call_b", "2")
    assert [e["type"] for e in events] == ["conversation.item.create", "response.create"]
    assert desk.answer(done.turns, None, "call_b", "again") == []  # answered once only


def test_auto_answers_complete_calls_of_auto_tools_only():
    library = ToolLibrary.examples()
    streaming = _state(_call_events("resp_1", "item_a", "call_a", "calculate", '{"expression"', done=False))
    desk = CallDesk()
    assert desk.auto_answers(streaming.turns, "resp_1", library) == []  # arguments still streaming
    state = _state(_call_events("resp_1", "item_a", "call_a", "calculate", '{"expression": "6*7"}')
                   + _call_events("resp_1", "item_w", "call_w", "get_weather", '{"location": "Paris"}'))
    events = desk.auto_answers(state.turns, None, library)
    assert [e["type"] for e in events] == ["conversation.item.create"]  # weather is manual: no response yet
    assert json.loads(events[0]["item"]["output"])["result"] == 42
    events = desk.answer(state.turns, None, "call_w", normalise_output('{ "temperature_c" : 3 }'))
    assert events[0]["item"]["output"] == '{"temperature_c": 3}'
    assert events[-1] == {"type": "response.create"}


def test_normalise_output_keeps_plain_text():
    assert normalise_output("  it is sunny \n") == "it is sunny"
    assert normalise_output('[1, 2]') == "[1, 2]"


def test_follow_up_response_relaxes_a_forced_tool_choice():
    state = _state(_call_events("resp_1", "item_a", "call_a", "calculate", '{"expression": "6*7"}'))
    for choice in ("required", {"type": "function", "name": "calculate"}):
        desk = CallDesk()
        desk.tool_choice = choice
        events = desk.auto_answers(state.turns, None, ToolLibrary.examples())
        assert events[-1] == {"type": "response.create", "response": {"tool_choice": "auto"}}  # no endless calls
    desk = CallDesk()
    desk.tool_choice = "none"
    assert desk.auto_answers(state.turns, None, ToolLibrary.examples())[-1] == {"type": "response.create"}
