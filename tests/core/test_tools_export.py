""""View code" with tools: the snippet answers function calls with the canned outputs, run for real."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from rt_tui.config import resolve_target_for_emulator
from rt_tui.core.export import session_code
from rt_tui.core.session import SessionConfig
from rt_tui.core.tools import ToolLibrary

LIBRARY = ToolLibrary.examples().set_enabled("get_weather", True).set_enabled("calculate", True)
CONFIG = SessionConfig(output_modalities="text", tools=LIBRARY.session_tools())


def test_snippet_carries_the_canned_outputs_and_a_fallback():
    code = session_code(CONFIG, resolve_target_for_emulator("ws://127.0.0.1:9"), LIBRARY.canned_answers())
    compile(code, "<snippet>", "exec")
    assert "'get_weather': '{\"temperature_c\": 21, \"conditions\": \"sunny\"}'" in code
    assert "'calculate': '{\"error\": \"not implemented in this script\"}'" in code
    assert 'response.create()  # the model continues' in code
    forced = session_code(CONFIG.updated({"tool_choice": "required"}), resolve_target_for_emulator("ws://127.0.0.1:9"))
    compile(forced, "<snippet>", "exec")
    assert 'response.create(response={"tool_choice": "auto"})' in forced
    plain = session_code(SessionConfig(), resolve_target_for_emulator("ws://127.0.0.1:9"))
    assert "FUNCTION_OUTPUTS" not in plain and "import sys" not in plain


@pytest.mark.timeout(60)
@pytest.mark.parametrize("dialect, choice", [("ga", "auto"), ("beta", "required")])
async def test_snippet_answers_a_function_call_against_the_emulator(dialect, choice, tmp_path):
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator

    async with Emulator(EmulatorOptions(first_delta_ms=10, text_delta_ms=1, ping_interval_s=None)) as emu:
        script = tmp_path / "snippet.py"
        config = CONFIG.updated({"tool_choice": choice})
        script.write_text(session_code(config, resolve_target_for_emulator(emu.url, dialect),
                                       LIBRARY.canned_answers()))
        env = {key: value for key, value in os.environ.items() if not key.endswith("_API_KEY")}
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(script), "what's the weather in Paris", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 45)
    out = stdout.decode()
    assert process.returncode == 0, stderr.decode()
    if choice == "auto":
        assert 'function call: get_weather({"location": "Paris"})' in out
    else:  # forced: the first tool, then the follow-up lets the model answer instead of calling again
        assert "function call: get_weather(" in out and out.count("function call:") == 1
        follow_up = [e for e in emu.received if e["type"] == "response.create"][-1]
        assert follow_up["response"]["tool_choice"] == "auto"
    assert "assistant:" in out and "sunny" in out.split("assistant:")[-1]
    [answer] = [e["item"] for e in emu.received if e["type"] == "conversation.item.create"
                and e["item"]["type"] == "function_call_output"]
    assert answer["output"] == '{"temperature_c": 21, "conditions": "sunny"}'
