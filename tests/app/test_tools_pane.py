"""Pilot tests of the Tools pane and the function-call prompt against the real emulator on loopback."""

from __future__ import annotations

import dataclasses
import json

import pytest
from textual.widgets import Button, Checkbox, Input, Select, TextArea

from rt_tui.core.tools import ToolLibrary
from rt_tui.ui.app import make_app
from rt_tui.ui.panes.call_prompt import CallPrompt
from rt_tui.ui.panes.tools import ToolsPane

from app_helpers import received, settings_for, wait_for

SIZE = (160, 48)
TEXT = {"output_modalities": "text"}  # text replies: no speech synthesis needed


def _app(emulator, dialect: str = "ga", session: dict | None = None, **settings):
    base = dataclasses.replace(settings_for(emulator.url, dialect), session=dict(TEXT if session is None else session),
                               **settings)
    return make_app(base, cursor_blink=False, audio=False)


async def _connected(pilot, app, modality: str = "text") -> None:
    await wait_for(pilot, lambda: app.query_one("#status-state").has_class("-connected"), what="connected")
    await wait_for(pilot, lambda: app.config.output_modalities == modality, what="the initial session.updated")


async def _enable(pilot, app, emulator, name: str) -> dict:
    """Tick `name` in the Tools pane (opened with F7); the session.update that follows."""
    pane = app.query_one(ToolsPane)
    if not pane.display:
        await pilot.press("f7")
    index = pane.library.names().index(name)
    before = len(received(emulator, "session.update"))
    await pilot.click(f"#tool-enabled-{index}")
    await wait_for(pilot, lambda: len(received(emulator, "session.update")) > before, what="session.update")
    await wait_for(pilot, lambda: any(t["name"] == name for t in app.config.tools), what="session.updated")
    await pilot.pause(0.2)
    assert len(received(emulator, "session.update")) == before + 1  # reflecting the answer sends nothing
    return received(emulator, "session.update")[-1]


def _reply(app):
    views = [v for v in app.conversation_pane.blocks() if v.turn.role == "assistant" and v.turn.kind == "message"]
    return views and views[-1].turn.status == "completed" and views[-1].turn


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_enabling_a_tool_sends_it_in_session_update(emulator, dialect):
    app = _app(emulator, dialect)
    async with app.run_test(size=SIZE) as pilot:
        await _connected(pilot, app)
        update = await _enable(pilot, app, emulator, "get_weather")
        weather = ToolLibrary.examples().get("get_weather").session_tool()
        assert update["session"]["tools"] == [weather]
        assert update["session"]["tool_choice"] == "auto"
        if dialect == "ga":
            assert update["session"]["type"] == "realtime" and update["session"]["output_modalities"] == ["text"]
        else:
            assert "type" not in update["session"] and update["session"]["modalities"] == ["text"]
        boxes = [app.query_one(f"#tool-enabled-{i}", Checkbox).value for i in range(3)]
        assert boxes == [False, True, False]  # reflected from session.updated
        # a forced tool choice names the function (beta: the name as a string, per the contract)
        await pilot.click("#tool-choice")
        select = app.query_one("#tool-choice", Select)
        select.value = "function:get_weather"
        await wait_for(pilot, lambda: received(emulator, "session.update")[-1]["session"]["tool_choice"]
                       != "auto", what="forced tool choice")
        expected = {"type": "function", "name": "get_weather"} if dialect == "ga" else "get_weather"
        assert received(emulator, "session.update")[-1]["session"]["tool_choice"] == expected


@pytest.fixture
async def slow_arguments_emulator():
    """Argument deltas 150 ms apart, so the screen shows them growing (renders are batched at 50 ms)."""
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator

    async with Emulator(EmulatorOptions(first_delta_ms=30, text_delta_ms=150, ping_interval_s=None)) as emu:
        yield emu


async def test_scripted_call_streams_then_manual_answer_gets_a_reply(slow_arguments_emulator):
    emulator = slow_arguments_emulator
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await _connected(pilot, app)
        await _enable(pilot, app, emulator, "get_weather")
        prompt = app.query_one(CallPrompt)
        shown: list[str] = []
        titles: list[str] = []
        show_calls = prompt.show_calls

        def recording(turns, active, library):
            show_calls(turns, active, library)
            if prompt.call is not None:
                shown.append(str(prompt.query_one("#call-arguments").render()))
                titles.append(str(prompt.query_one("#call-title").render()))
        prompt.show_calls = recording
        await pilot.press("ctrl+o", *"what's the weather in Paris", "enter")
        await wait_for(pilot, lambda: prompt.display and prompt.call and prompt.desk.ready(prompt.call),
                       what="a pending get_weather call")
        call = prompt.call
        assert call.name == "get_weather" and json.loads(call.arguments) == {"location": "Paris"}
        deltas = [e for e in emulator.sent if e.get("type") == "response.function_call_arguments.delta"]
        assert len(deltas) > 1 and "".join(d["delta"] for d in deltas) == call.arguments  # streamed in pieces
        assert "get_weather" in str(prompt.query_one("#call-title").render())
        assert '"Paris"' in str(prompt.query_one("#call-arguments").render())
        growing = sorted(set(shown), key=len)
        # 3 deltas 150 ms apart: a part shown before the whole proves it grows (seeing all 3 needs an idle machine)
        assert all(longer.startswith(shorter) for shorter, longer in zip(growing, growing[1:]))
        assert [part for part in growing[:-1] if part != "arguments: "], growing
        assert any("arguments streaming" in title for title in titles)  # not answerable until complete
        view = next(v for v in app.conversation_pane.blocks() if v.turn.kind == "function_call")
        assert "pending" in view.status
        assert not received(emulator, "conversation.item.create")[1:]  # nothing answered by itself

        app.query_one("#call-output", TextArea).load_text('{"temperature_c": 12, "conditions": "drizzle"}')
        await pilot.click("#call-send")
        reply = await wait_for(pilot, lambda: _reply(app), what="the reply after the output")
        [output] = [e["item"] for e in received(emulator, "conversation.item.create")
                    if e["item"]["type"] == "function_call_output"]
        assert output == {"type": "function_call_output", "call_id": call.call_id,
                          "output": '{"temperature_c": 12, "conditions": "drizzle"}'}
        types = [e["type"] for e in emulator.received]
        assert types.index("response.create", types.index("conversation.item.create", 1)) > 0
        assert "drizzle" in reply.text
        await wait_for(pilot, lambda: not prompt.display, what="the prompt to go away")
        assert "pending" not in app.conversation_pane.block(view.item_id).status

        # a second call, answered with a canned output
        await pilot.press("ctrl+o", *"weather in Oslo", "enter")
        await wait_for(pilot, lambda: prompt.call and prompt.call.call_id != call.call_id
                       and prompt.desk.ready(prompt.call), what="a second pending call")
        canned = app.query_one("#call-canned", Select)
        assert canned.display
        canned.value = 1  # the second canned output: snow
        await pilot.pause()
        assert "snow" in app.query_one("#call-output", TextArea).text
        await pilot.click("#call-send")
        await wait_for(pilot, lambda: _reply(app) and "snow" in _reply(app).text, what="the reply to the canned output")


def _call_body(app) -> str | None:
    view = next((v for v in app.conversation_pane.blocks() if v.turn.kind == "function_call"), None)
    return None if view is None else view.body


async def test_beta_call_grows_in_the_conversation_and_a_manual_answer_gets_the_reply(slow_arguments_emulator):
    emulator = slow_arguments_emulator
    app = _app(emulator, "beta", tools=[{"name": "get_weather", "enabled": True,
                                         "parameters": '{"type": "object", "properties": {"location": {"type": "string"}}}'}])
    async with app.run_test(size=SIZE) as pilot:
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
        answer = await wait_for(pilot, lambda: _reply(app), what="the reply after the output")
        outputs = [e["item"] for e in received(emulator, "conversation.item.create")
                   if e["item"]["type"] == "function_call_output"]
        assert outputs == [{"type": "function_call_output", "call_id": call_id, "output": "mild and breezy"}]
        types = [e["type"] for e in emulator.received]
        last_output = max(i for i, e in enumerate(emulator.received)
                          if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output")
        assert "response.create" in types[last_output + 1:]
        assert "mild and breezy" in answer.text
        assert "output: mild and breezy" in _call_body(app) and not prompt.display


async def test_auto_answer_replies_without_asking_and_the_reply_is_spoken(emulator):
    app = _app(emulator, session={})  # the default: audio output with its transcript
    async with app.run_test(size=SIZE) as pilot:
        await _connected(pilot, app, "audio")
        await _enable(pilot, app, emulator, "get_current_time")
        await pilot.press("ctrl+o", *"what time is it in Tokyo", "enter")
        reply = await wait_for(pilot, lambda: _reply(app) if "tool says" in (_reply(app) or _Empty).text else None,
                               what="the reply to the auto answer")
        [output] = [e["item"]["output"] for e in received(emulator, "conversation.item.create")
                    if e["item"]["type"] == "function_call_output"]
        assert json.loads(output)["timezone"] == "Asia/Tokyo"
        assert "Asia/Tokyo" in reply.text and reply.has_audio and reply.audio_ms > 0
        assert not app.query_one(CallPrompt).display


async def test_required_tool_choice_and_the_calculator(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await _connected(pilot, app)
        await _enable(pilot, app, emulator, "calculate")
        app.query_one("#tool-choice", Select).value = "required"
        await wait_for(pilot, lambda: app.config.tool_choice == "required", what="tool_choice required applied")
        await pilot.press("ctrl+o", *"(2 + 3) * sqrt(16)", "enter")
        reply = await wait_for(pilot, lambda: _reply(app), what="the calculator's reply")
        assert "result 20" in reply.text
        # the follow-up after the output lets the model choose; forced again, it would call (and be answered) forever
        assert received(emulator, "response.create")[-1] == {"type": "response.create",
                                                             "response": {"tool_choice": "auto"}}
        assert app.config.tool_choice == "required"  # the session keeps the user's choice


async def test_invalid_schema_is_refused_inline_and_nothing_is_sent(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await _connected(pilot, app)
        await pilot.press("f7")
        pane = app.query_one(ToolsPane)
        await pilot.click("#tool-add")
        await pilot.press(*"lookup_order")
        before_updates = len(received(emulator, "session.update"))
        parameters = app.query_one("#tool-parameters", TextArea)
        parameters.load_text('{"type": "object", "properties": {"id": {"type": "integr"}}}')
        await pilot.pause()
        error = app.query_one("#tool-error-parameters")
        assert error.display and "properties.id.type" in str(error.render())
        assert app.query_one("#tool-save").disabled
        assert not await pane.save_editor()
        parameters.load_text('{"type": "object", "properties": {')
        await pilot.pause()
        assert "not valid JSON" in str(error.render())
        await pilot.pause(0.3)
        assert len(received(emulator, "session.update")) == before_updates
        assert pane.library.get("lookup_order") is None

        parameters.load_text('{"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}')
        await pilot.pause()
        assert not error.display
        app.query_one("#tool-save", Button).press()
        await wait_for(pilot, lambda: len(received(emulator, "session.update")) > before_updates, what="update")
        tools = received(emulator, "session.update")[-1]["session"]["tools"]
        assert [t["name"] for t in tools] == ["lookup_order"]
        assert tools[0]["parameters"]["properties"]["id"] == {"type": "integer"}


async def test_tools_persist_in_the_config_file_and_load_back(emulator, tmp_path):
    from rt_tui.config import load_settings
    import argparse

    path = tmp_path / "config.toml"
    path.write_text("# mine\n[session]\nvoice = \"cedar\"\n")
    app = _app(emulator, config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await _connected(pilot, app)
        await _enable(pilot, app, emulator, "calculate")
    text = path.read_text()
    assert text.startswith("# mine") and "[[tools]]" in text
    settings = load_settings(argparse.Namespace(config=str(path), profile=None))
    library = ToolLibrary.from_tables(settings.tools)
    assert [t.name for t in library.enabled()] == ["calculate"]

    emulator.received.clear()
    again = make_app(dataclasses.replace(settings_for(emulator.url), session=dict(TEXT), tools=settings.tools),
                     cursor_blink=False)
    async with again.run_test(size=SIZE) as pilot:
        await _connected(pilot, again)
        first = received(emulator, "session.update")[0]
        assert [t["name"] for t in first["session"]["tools"]] == ["calculate"]


async def test_a_tool_change_is_saved_in_the_active_profile(tmp_path):
    """Offline app (no connection): ticking a tool still saves the library, as the profile's own tools."""
    from rt_tui.config import load_settings
    import argparse

    path = tmp_path / "config.toml"
    path.write_text("# top\n[profiles.demo]\nlocal = true  # kept\n")
    settings = load_settings(argparse.Namespace(config=str(path), profile="demo"), env={})
    app = make_app(settings, connect=False, cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.click("#tool-enabled-2")  # calculate
        await wait_for(pilot, lambda: "[[profiles.demo.tools]]" in path.read_text(), what="the profile's tools saved")
    text = path.read_text()
    assert "local = true  # kept" in text and "\n[[tools]]" not in text
    again = load_settings(argparse.Namespace(config=str(path), profile="demo"), env={})
    assert [t.name for t in ToolLibrary.from_tables(again.tools).enabled()] == ["calculate"]
    assert load_settings(argparse.Namespace(config=str(path), profile=None), env={}).tools is None  # top level untouched


class _Empty:
    text = ""


class _PaneHost:
    """A minimal app around the Tools pane, keeping every Changed message (no connection needed)."""

    @staticmethod
    def make(library: ToolLibrary, choice="auto"):
        from pathlib import Path

        from textual.app import App

        import rt_tui.ui

        class Host(App):
            CSS_PATH = Path(rt_tui.ui.__file__).parent / "app.tcss"

            def __init__(self) -> None:
                super().__init__()
                self.changes: list[ToolsPane.Changed] = []

            def compose(self):
                yield ToolsPane(library, choice, id="tools")

            def on_mount(self) -> None:
                self.query_one(ToolsPane).display = True

            def on_tools_pane_changed(self, message: ToolsPane.Changed) -> None:
                self.changes.append(message)

        return Host()


async def test_editor_refuses_taken_names_and_disabling_a_forced_tool_resets_the_choice():
    library = ToolLibrary.examples().set_enabled("get_weather", True)
    app = _PaneHost.make(library, {"type": "function", "name": "get_weather"})
    async with app.run_test(size=(60, 60)) as pilot:
        pane = app.query_one(ToolsPane)
        assert app.query_one("#tool-choice", Select).value == "function:get_weather"
        pane.open_editor(library.get("calculate"))
        app.query_one("#tool-name", Input).value = "get_weather"
        await pilot.pause()
        assert "already exists" in str(app.query_one("#tool-error-name").render())
        assert not await pane.save_editor() and not app.changes
        app.query_one("#tool-name", Input).value = "calc"
        await pilot.pause()
        assert await pane.save_editor()
        await pilot.pause()
        assert pane.library.names() == ["get_current_time", "get_weather", "calc"]  # renamed in place
        assert pane.library.get("calc").example == "calculator"  # still really computes
        app.query_one("#tool-enabled-1", Checkbox).value = False
        await pilot.pause()
        assert app.changes[-1].tool_choice == "auto" and not app.changes[-1].library.enabled()
        assert app.query_one("#tool-choice", Select).value == "auto"
        pane.open_editor(None)
        app.query_one("#tool-name", Input).value = "get_weather"
        await pilot.pause()
        assert "already exists" in str(app.query_one("#tool-error-name").render())  # a new tool never overwrites
        pane.open_editor(pane.library.get("calc"))
        app.query_one("#tool-delete", Button).press()
        await pilot.pause()
        assert "calc" not in pane.library.names() and app.query_one("#tool-examples").display
        app.query_one("#tool-examples", Button).press()
        await pilot.pause()
        assert app.changes[-1].library.names() == ["get_current_time", "get_weather", "calculate"]


def test_initial_tools_merge_the_file_library_with_the_session_table():
    from rt_tui.config import Settings, Target
    from rt_tui.core.session import SessionConfig
    from rt_tui.ui.panes.tools import initial_tools

    settings = Settings(target=Target("local", "", "gpt-realtime"), tools=[{"name": "mine", "enabled": True}])
    session_tool = {"type": "function", "name": "from_session", "description": "", "parameters": {"type": "object"}}
    config = SessionConfig(tools=[session_tool], tool_choice={"type": "function", "name": "from_session"})
    library, config = initial_tools(settings, config)
    assert [t.name for t in library.enabled()] == ["mine", "from_session"]
    assert [t["name"] for t in config.tools] == ["mine", "from_session"]
    assert config.tool_choice == {"type": "function", "name": "from_session"}
    examples, plain = initial_tools(Settings(target=Target("local", "", "gpt-realtime")), SessionConfig())
    assert examples == ToolLibrary.examples() and plain.tools == []
