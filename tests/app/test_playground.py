"""Pilot tests of the playground against a real emulator on loopback (real SDK, real websockets)."""

from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from rt_tui.ui.app import make_app
from rt_tui.ui.panes.conversation import ConversationPane
from rt_tui.ui.panes.instructions import InstructionsPane
from rt_tui.ui.panes.settings import SettingsPane

from app_helpers import configured, received, settings_for, submit_field, wait_for

SIZE = (160, 48)


async def test_message_input_focused_and_reply_streams_with_latency(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused is app.query_one("#message-input", Input)
        await configured(pilot, app)
        await pilot.press(*"hello there", "enter")
        assert app.query_one("#message-input", Input).value == ""

        def finished_reply():
            views = [v for v in app.conversation_pane.blocks() if v.turn.role == "assistant"]
            return views and views[-1].turn.status == "completed" and views[-1]

        view = await wait_for(pilot, finished_reply, what="a completed assistant turn")
        await pilot.pause(0.1)
        assert view.turn.text.strip()
        assert view.body.strip() == view.turn.text.strip()
        assert "latency" in view.meta
        user_views = [v for v in app.conversation_pane.blocks() if v.turn.role == "user"]
        assert user_views and "hello there" in user_views[0].turn.text
        assert received(emulator, "conversation.item.create")[0]["item"]["content"][0]["text"] == "hello there"
        assert received(emulator, "response.create")


async def test_apply_instructions_sends_session_update_and_shows_applied(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        pane = app.query_one(InstructionsPane)
        editor = app.query_one("#instructions-editor", TextArea)
        editor.focus()
        editor.load_text("Speak like a pirate.")
        await pilot.pause()
        assert pane.state == "edited"
        before = len(received(emulator, "session.update"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pane.state == "applied", what="instructions applied")
        updates = received(emulator, "session.update")
        assert len(updates) == before + 1
        assert updates[-1]["session"]["instructions"] == "Speak like a pirate."
        assert updates[-1]["session"]["type"] == "realtime"
        assert "applied" in str(pane.state_label.render())


async def test_invalid_threshold_shows_reason_inline_and_sends_nothing(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        await pilot.pause(0.2)
        before = len(received(emulator, "session.update"))
        await submit_field(pilot, app, "#threshold", "1.7")
        await pilot.pause(0.3)
        error = app.query_one("#error-threshold")
        assert error.display
        assert "threshold" in str(error.render()).lower()
        assert len(received(emulator, "session.update")) == before
        assert app.query_one(SettingsPane).errors


async def test_vad_change_sends_ga_shape(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        await pilot.pause(0.2)
        before = len(received(emulator, "session.update"))
        app.query_one("#turn_detection_type", Select).value = "semantic_vad"
        await wait_for(pilot, lambda: len(received(emulator, "session.update")) > before, what="session.update")
        session = received(emulator, "session.update")[-1]["session"]
        assert session["type"] == "realtime"
        assert session["audio"]["input"]["turn_detection"]["type"] == "semantic_vad"
        assert "turn_detection" not in session
        await wait_for(pilot, lambda: app.config.turn_detection.type == "semantic_vad", what="session.updated")
        assert app.query_one("#field-eagerness").display
        assert not app.query_one("#field-threshold").display


async def test_vad_change_sends_beta_shape_on_a_beta_connection(emulator):
    app = make_app(settings_for(emulator.url, dialect="beta"), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        await pilot.pause(0.2)
        before = len(received(emulator, "session.update"))
        await submit_field(pilot, app, "#silence_duration_ms", "650")
        await wait_for(pilot, lambda: len(received(emulator, "session.update")) > before, what="session.update")
        session = received(emulator, "session.update")[-1]["session"]
        assert "type" not in session and "audio" not in session
        assert session["turn_detection"]["silence_duration_ms"] == 650
        assert not app.query_one("#temperature", Input).disabled


async def test_server_error_appears_in_log_as_error_and_session_continues(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        app.host.worker.send({"type": "conversation.item.delete", "item_id": "item_does_not_exist"})
        def error_text():
            views = [v for v in app.conversation_pane.blocks() if v.kind == "error"]
            return views and views[0].body

        text = await wait_for(pilot, error_text, what="an error turn with its message")
        assert "item_does_not_exist" in text
        await pilot.press(*"still there?", "enter")
        await wait_for(pilot, lambda: any(v.turn.role == "assistant" and v.turn.status == "completed"
                                          for v in app.conversation_pane.blocks()), what="a reply after the error")


async def test_clear_conversation_deletes_server_items(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: any(v.turn.role == "assistant" and v.turn.status == "completed"
                                          for v in app.conversation_pane.blocks()), what="a reply")
        ids = {v.item_id for v in app.conversation_pane.blocks()}
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: not app.conversation_pane.blocks(), what="an empty log")
        await wait_for(pilot, lambda: {e["item_id"] for e in received(emulator, "conversation.item.delete")} >= ids,
                       what="deletes for every item")


async def test_preset_from_palette_is_loaded_and_applied(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"Preset: Translator")
        await pilot.pause(0.5)
        await pilot.press("enter")
        pane = app.query_one(InstructionsPane)
        await wait_for(pilot, lambda: pane.state == "applied" and "interpreter" in pane.text, what="preset applied")
        assert "interpreter" in received(emulator, "session.update")[-1]["session"]["instructions"]


async def test_embedded_emulator_says_local_and_quits_cleanly():
    from rt_tui.config import Settings, Target

    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), cursor_blink=False, audio=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await configured(pilot, app)
        assert "LOCAL EMULATOR" in app.sub_title and "not a model" in app.sub_title
        emulator_thread = app.host.emulator
        assert emulator_thread is not None
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
    assert app.host.worker is None and app.host.emulator is None
    assert app.return_code == 0


async def test_configuration_error_shows_screen_naming_what_to_fix():
    from rt_tui.config import Settings, Target

    settings = Settings(target=Target("local", "", "gpt-realtime"), session={"turn_detection": {"threshold": 3}})
    app = make_app(settings, cursor_blink=False, audio=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        assert type(screen).__name__ == "ConfigErrorScreen"
        assert "threshold" in str(screen.query_one("#config-error-message").render())
        assert "[session]" in str(screen.query_one("#config-error-variable").render())
        assert app.host.worker is None


async def test_panes_toggle_and_collapse_at_80_columns():
    from rt_tui.config import Settings, Target

    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False, audio=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.query_one("#left").display and not app.query_one("#right").display
        await pilot.press("f2")
        assert app.query_one("#left").display
        assert app.focused is app.query_one("#instructions-editor")
        await pilot.press("f4")
        assert app.screen.maximized is app.query_one(InstructionsPane)
        await pilot.press("f4")
        await pilot.press("ctrl+o", "f4")
        assert app.screen.maximized is app.query_one("#centre")
        await pilot.press("f4")
        assert app.screen.maximized is None
        await pilot.press("f3")
        assert app.query_one("#right").display
    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False, audio=False)
    async with app.run_test(size=(200, 60)) as pilot:
        assert app.query_one("#left").display and app.query_one("#right").display
        assert app.query_one(ConversationPane).size.width > 60


async def test_every_binding_has_an_id_and_description_and_is_in_the_palette():
    from rt_tui.config import Settings, Target

    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False)
    for binding in app.BINDINGS:
        assert binding.id and binding.description, binding
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"apply instr")
        await pilot.pause(0.5)
        from textual.command import CommandPalette

        palette = app.screen
        assert isinstance(palette, CommandPalette)
        options = palette.query_one("CommandList")
        texts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Apply instructions" in t for t in texts), texts
