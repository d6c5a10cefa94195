"""Canned tool outputs that span several lines stay whole: in the editor, in the library, and on the wire."""

from __future__ import annotations

import dataclasses

from app_helpers import configured, received, settings_for, wait_for
from textual.widgets import Select, TextArea

from rt_tui.ui.app import make_app
from rt_tui.ui.panes.call_prompt import CallPrompt
from rt_tui.ui.panes.tools import ToolsPane, canned_outputs_from, canned_text

SIZE = (160, 48)
PRETTY = '{\n  "temperature_c": 9,\n  "conditions": "fog"\n}'
PROSE = "Cloudy over Oslo.\n\nWind from the west, 20 km/h."
WEATHER = {"name": "get_weather", "description": "The current weather for a city.", "enabled": True,
           "parameters": '{"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}',
           "canned_outputs": [PRETTY, PROSE]}


def test_editor_text_reads_back_the_same_outputs():
    assert canned_outputs_from(canned_text([PRETTY, PROSE, "x"])) == [PRETTY, PROSE, "x"]
    assert canned_outputs_from("one\n  ---  \ntwo\n---\n\n---\n") == ["one", "two"]


async def test_multi_line_canned_outputs_survive_the_editor_and_are_sent_whole(emulator):
    settings = dataclasses.replace(settings_for(emulator.url), tools=[WEATHER], session={"output_modalities": "text"})
    app = make_app(settings, cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        pane = app.query_one(ToolsPane)
        await pilot.press("f7")
        pane.open_editor(pane.library.get("get_weather"))
        await pilot.pause()
        assert app.query_one("#tool-canned", TextArea).text == f"{PRETTY}\n---\n{PROSE}"
        assert await pane.save_editor()
        await pilot.pause()
        assert pane.library.get("get_weather").canned_outputs == (PRETTY, PROSE)
        assert app.tool_library.get("get_weather").canned_outputs == (PRETTY, PROSE)

        prompt = app.query_one(CallPrompt)
        await pilot.press("ctrl+o", *"weather in Oslo", "enter")
        await wait_for(pilot, lambda: prompt.call and prompt.desk.ready(prompt.call), what="a pending call")
        canned = app.query_one("#call-canned", Select)
        canned.value = 1
        await pilot.pause()
        assert app.query_one("#call-output", TextArea).text == PROSE
        await pilot.click("#call-send")
        await wait_for(pilot, lambda: any(e["item"]["type"] == "function_call_output"
                                          for e in received(emulator, "conversation.item.create")), what="the output")
        [output] = [e["item"]["output"] for e in received(emulator, "conversation.item.create")
                    if e["item"]["type"] == "function_call_output"]
        assert output == PROSE
