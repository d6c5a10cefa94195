"""Server- and user-provided text is shown word for word: `[bold]x[/]` in it is text, not Textual markup."""

from __future__ import annotations

from app_helpers import attach_idle_worker, offline_app, refuse_update, submit_field, wait_for
from textual.widgets import Label, Select
from textual.widgets._toast import Toast

from rt_tui.core.connection import ConnectionStatus
from rt_tui.core.events import Event
from rt_tui.core.tools import ToolLibrary, make_tool
from rt_tui.ui.messages import ConnectionStatusChanged, VoiceMessage
from rt_tui.ui.panes.call_prompt import CallPrompt
from rt_tui.ui.panes.instructions import InstructionsPane

SIZE = (160, 48)
SERVER_TEXT = "Invalid value for 'session.instructions': [bold]x[/] is not [foo] allowed."


def _toasts(app) -> str:
    """The text of every toast on screen, as drawn."""
    return "\n".join(toast.render().plain for toast in app.screen.query(Toast))


async def test_rejected_instructions_show_the_servers_brackets_literally():
    app = offline_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        attach_idle_worker(app)
        pane = app.query_one(InstructionsPane)
        pane.load("Whisper.")
        await pilot.press("ctrl+s")
        refuse_update(app, "evt_1", "session.instructions", SERVER_TEXT)
        await pilot.pause()
        assert pane.state == "rejected"
        await wait_for(pilot, lambda: SERVER_TEXT in _toasts(app), what="the toast, word for word")
        assert str(pane.state_label.render()) == f"✗ rejected: {SERVER_TEXT}"
        assert str(pane.state_label.tooltip).endswith(SERVER_TEXT)


async def test_rejected_settings_and_a_failed_connection_are_shown_literally():
    app = offline_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        attach_idle_worker(app)
        await submit_field(pilot, app, "#threshold", "0.7")
        await pilot.pause()
        assert app._awaiting == "settings"
        refuse_update(app, "evt_2", "session.audio.input.turn_detection.threshold", SERVER_TEXT)
        await pilot.pause()
        await wait_for(pilot, lambda: f"Settings rejected: {SERVER_TEXT}" in _toasts(app), what="the settings toast")

        app.post_message(ConnectionStatusChanged(ConnectionStatus("failed", SERVER_TEXT)))
        app.post_message(VoiceMessage(f"microphone '[bold]x[/]' vanished"))
        await pilot.pause()
        await wait_for(pilot, lambda: f"{SERVER_TEXT}\nF6 reconnects." in _toasts(app), what="the connection toast")
        await wait_for(pilot, lambda: "microphone '[bold]x[/]' vanished" in _toasts(app), what="the voice toast")
        assert str(app.query_one("#status-state", Label).render()) == f"failed: {SERVER_TEXT}"


async def test_a_server_function_name_and_a_canned_output_with_brackets_are_shown_literally():
    tool = make_tool("lookup", "Look it up", '{"type": "object", "properties": {}}', enabled=True,
                     canned_outputs=['["a", "[bold]b[/]"]'])
    app = offline_app(tools=ToolLibrary((tool,)).to_tables())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        attach_idle_worker(app)
        for name in ("[bold]x[/]", "lookup"):
            app.ingest(Event("server", "conversation.item.done", {"type": "conversation.item.done", "item": {
                "id": f"item_{len(name)}", "type": "function_call", "call_id": f"call_{len(name)}", "name": name,
                "arguments": "{}", "status": "completed"}}, 1.0))
        app.flush_render()
        await pilot.pause()
        prompt = app.query_one(CallPrompt)
        assert prompt.call is not None and prompt.call.name == "[bold]x[/]"
        assert str(app.query_one("#call-title", Label).render()).startswith("[bold]x[/]  (")
        assert prompt.answer("done")
        app.flush_render()
        await pilot.pause()
        assert prompt.call is not None and prompt.call.name == "lookup"
        canned = app.query_one("#call-canned", Select)
        assert [str(label) for label, _ in canned._options if label] == ['["a", "[bold]b[/]"]']
