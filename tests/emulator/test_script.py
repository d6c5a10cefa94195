"""--script files: pattern → reply / tool-call rules and timing knobs (TOML and JSON)."""

from __future__ import annotations

import json
import time

import pytest
from emulator_helpers import connect, fast_options, recv, until, user_text

from rt_tui.emulator.script import Script, ScriptError
from rt_tui.emulator.server import Emulator

TOML = '''
[timing]
first_delta_ms = 200

[[rules]]
pattern = "order (?P<dish>\\\\w+)"
reply = "One {dish}, coming up."

[[rules]]
pattern = "book a table for (?P<n>\\\\d+)"
tool = "book_table"
arguments = { people = "{n}" }
'''
BOOK = {"type": "function", "name": "book_table", "parameters": {"type": "object", "properties": {
    "people": {"type": "string"}}}}


def test_toml_and_json_load_the_same_rules(tmp_path):
    toml_file = tmp_path / "rules.toml"
    toml_file.write_text(TOML)
    from_toml = Script.load(toml_file)
    json_file = tmp_path / "rules.json"
    json_file.write_text(json.dumps({"timing": from_toml.timing,
                                     "rules": [r.__dict__ for r in from_toml.rules]}))
    assert Script.load(json_file) == from_toml
    assert from_toml.timing == {"first_delta_ms": 200}
    assert from_toml.rules[0].reply == "One {dish}, coming up."


@pytest.mark.parametrize("data, message", [
    ({"rules": [{"pattern": "("}]}, "bad pattern"),
    ({"rules": [{"pattern": "x", "reply": "a", "tool": "b"}]}, "exactly one of"),
    ({"timing": {"warp": 1}}, "unknown timing knob 'warp'"),
    ({"timing": {"first_delta_ms": -1}}, "must be a number >= 0"),
    ({"replies": []}, "unknown section"),
])
def test_bad_scripts_say_what_is_wrong(data, message):
    with pytest.raises(ScriptError, match=message):
        Script.from_dict(data)


async def test_scripted_reply_tool_call_and_timing(tmp_path):
    script = tmp_path / "rules.toml"
    script.write_text(TOML)
    options = fast_options(script=Script.load(script))
    async with Emulator(options) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            await conn.send({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"],
                                                                    "tools": [BOOK]}})
            await until(conn, "session.updated")
            await conn.send({"type": "conversation.item.create", "item": user_text("I'd like to order pancakes")})
            await conn.send({"type": "response.create"})
            await until(conn, "response.created")
            start = time.monotonic()
            reply = await until(conn, "response.done")
            waited = time.monotonic() - start
            await conn.send({"type": "conversation.item.create", "item": user_text("Book a table for 4 please")})
            await conn.send({"type": "response.create"})
            call = (await until(conn, "response.done"))[-1]["response"]["output"][0]
    assert reply[-1]["response"]["output"][0]["content"][0]["text"] == "One pancakes, coming up."
    assert waited >= 0.18  # the script's first_delta_ms overrides the option
    assert call["name"] == "book_table" and json.loads(call["arguments"]) == {"people": "4"}


def test_template_names_must_be_pattern_groups():
    with pytest.raises(ScriptError, match=r"\['dish'\] used in a template"):
        Script.from_dict({"rules": [{"pattern": "order (\\w+)", "reply": "One {dish}."}]})


async def test_a_failing_reply_ends_the_response_as_failed_and_the_session_lives_on():
    from rt_tui.emulator.responder import Rule

    broken = Script(rules=(Rule("boom", reply="{missing}"),))  # bypasses Script validation on purpose
    async with Emulator(fast_options(script=broken)) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            await conn.send({"type": "conversation.item.create", "item": user_text("boom")})
            await conn.send({"type": "response.create"})
            failed = (await until(conn, "response.done"))[-1]["response"]
            await conn.send({"type": "conversation.item.create", "item": user_text("hello")})
            await conn.send({"type": "response.create"})
            ok = (await until(conn, "response.done"))[-1]["response"]
    assert failed["status"] == "failed" and failed["status_details"]["error"]["type"] == "server_error"
    assert ok["status"] == "completed"
