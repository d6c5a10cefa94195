"""Issue 9 audit: a function call in the beta dialect (Azure classic route) through the real app and emulator —
the conversation pane itself shows the call's arguments growing, then the manual answer's output item and reply."""

from __future__ import annotations

import dataclasses
import json

import pytest
from textual.widgets import TextArea

from rt_tui.ui.app import make_app
from rt_tui.ui.panes.call_prompt import CallPrompt
from rt_tui.ui.panes.conversation import TurnView

from app_helpers import received, settings_for, wait_for


@pytest.fixture
async def slow_arguments_emulator():
    """Argument deltas 150 ms apart, so the screen shows them growing (renders are batched at 50 ms)."""
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator

    async with Emulator(EmulatorOptions(first_delta_ms=30, text_delta_ms=150, ping_interval_s=None)) as emu:
        yield emu


def _call_body(app) -> str | None:
    view = next((v for v in app.query(TurnView) if v.turn.kind == "function_call"), None)
    return None if view is None else str(view.query_one(".turn-body").render())


async def test_beta_call_grows_in_the_conversation_and_a_manual_answer_gets_the_reply(slow_arguments_emulator):
    emulator = slow_arguments_emulator
    settings = dataclasses.replace(settings_for(emulator.url, "beta"), session={"output_modalities": "text"},
                                   tools=[{"name": "get_weather", "enabled": True,
                                           "parameters": '{"type": "object", "properties": '
                                                         '{"location": {"type": "string"}}}'}])
    app = make_app(settings, cursor_blink=False, audio=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.sessions_reflected >= 2, what="the first session.updated")
        [update] = received(emulator, "session.update")
        assert [t["name"] for t in update["session"]["tools"]] == ["get_weather"] and "type" not in update["session"]

        await pilot.press("ctrl+o", *"weather in Santa Cruz de Tenerife", "enter")
        prompt = app.query_one(CallPrompt)
        bodies: list[str] = []

        def answerable() -> bool:
            body = _call_body(app)
            if body and (not bodies or bodies[-1] != body):
                bodies.append(body)
            return bool(prompt.display and prompt.call and prompt.desk.ready(prompt.call))

        await wait_for(pilot, answerable, what="the call to become answerable")
        arguments = [b.split("arguments: ", 1)[1] for b in bodies]
        assert len(arguments) >= 3, bodies  # the conversation shows the arguments while they stream
        assert all(b.startswith(a) for a, b in zip(arguments, arguments[1:])) and arguments[0] != arguments[-1]
        assert json.loads(arguments[-1]) == {"location": "Santa Cruz de Tenerife"}
        assert any(e["type"] == "conversation.item.created" for e in emulator.sent)  # really the beta wire

        call_id = prompt.call.call_id
        app.query_one("#call-output", TextArea).load_text("mild and breezy")  # plain text is a valid output
        await pilot.click("#call-send")

        def reply():
            views = [v for v in app.query(TurnView) if v.turn.role == "assistant" and v.turn.kind == "message"]
            return views and views[-1].turn.status == "completed" and views[-1].turn

        answer = await wait_for(pilot, reply, what="the reply after the output")
        outputs = [e["item"] for e in received(emulator, "conversation.item.create")
                   if e["item"]["type"] == "function_call_output"]
        assert outputs == [{"type": "function_call_output", "call_id": call_id, "output": "mild and breezy"}]
        types = [e["type"] for e in emulator.received]
        last_output = max(i for i, e in enumerate(emulator.received)
                          if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output")
        assert "response.create" in types[last_output + 1:]
        assert "mild and breezy" in answer.text
        assert "output: mild and breezy" in _call_body(app) and not prompt.display
