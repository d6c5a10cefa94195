"""More playground flows: auto-apply, rejection, copy, voice lock, function calls, reset, batched rendering."""

from __future__ import annotations

from app_helpers import attach_idle_worker, configured, offline_app, received, refuse_update, settings_for, wait_for
from textual.widgets import Select, TextArea

from rt_tui.config import Settings, Target
from rt_tui.core.events import Event
from rt_tui.core.session import SessionConfig
from rt_tui.ui.app import make_app
from rt_tui.ui.panes.instructions import InstructionsPane

SIZE = (160, 48)

WEATHER_TOOL = {"type": "function", "name": "get_weather", "description": "Current weather for a city",
                "parameters": {"type": "object", "properties": {"location": {"type": "string"}},
                               "required": ["location"]}}


def _finished_assistant(app):
    return [v for v in app.conversation_pane.blocks() if v.turn.role == "assistant" and v.turn.status == "completed"]


async def test_auto_apply_sends_after_an_idle_pause(emulator):
    # The idle delay must outlast a keystroke gap on a loaded machine, or one update per pause is sent.
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False, autoapply_delay_s=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        pane = app.query_one(InstructionsPane)
        pane.autoapply.value = True
        app.query_one("#instructions-editor", TextArea).focus()
        before = len(received(emulator, "session.update"))
        await pilot.press(*"Be brief.")
        await wait_for(pilot, lambda: pane.state == "applied" and pane.applied_text == "Be brief.", what="auto-applied")
        updates = received(emulator, "session.update")[before:]
        assert [u["session"]["instructions"] for u in updates] == ["Be brief."]  # one update, not one per key


async def test_rejected_update_shows_the_servers_reason():
    """The emulator never refuses instructions, so the server's answer is replayed into a real, unconnected worker."""
    app = offline_app()
    async with app.run_test(size=SIZE) as pilot:
        attach_idle_worker(app)
        pane = app.query_one(InstructionsPane)
        pane.load("Whisper everything.")
        await pilot.press("ctrl+s")
        assert pane.state == "pending"
        refuse_update(app, "evt_1", "session.instructions", "Invalid value for 'session.instructions'.")
        await pilot.pause()
        assert pane.state == "rejected"
        assert "Invalid value for 'session.instructions'" in str(pane.state_label.render())
        assert app.desired == app.config  # the refused text is not taken as the session's


async def test_reply_locks_voice_and_copy_puts_text_on_the_clipboard(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        voice = app.query_one("#voice", Select)
        assert not voice.disabled
        await pilot.press(*"hello", "enter")
        view = (await wait_for(pilot, lambda: _finished_assistant(app), what="a reply"))[0]
        assert view.turn.has_audio
        await wait_for(pilot, lambda: voice.disabled, what="voice locked")
        assert "refuses voice changes" in str(app.query_one("#voice-note").render())
        app.conversation_pane.focus()  # selects the newest turn: the reply
        await pilot.pause()
        await pilot.press("c")
        assert app.clipboard == view.turn.text
        await pilot.press("ctrl+y")
        assert "### You\n\nhello" in app.clipboard and view.turn.text in app.clipboard


async def test_function_call_shows_name_arguments_and_output(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        app.host.update_session(app.config.model_copy(update={"tools": [WEATHER_TOOL]}))
        await wait_for(pilot, lambda: app.config.tools, what="tools in the session")
        await pilot.press(*"what is the weather in Paris", "enter")
        calls = await wait_for(pilot, lambda: [v for v in app.conversation_pane.blocks() if v.turn.kind == "function_call"
                                               and v.turn.status == "completed"], what="a function call turn")
        call = calls[0]
        await pilot.pause(0.2)
        assert "get_weather" in call.title
        assert "Paris" in call.body
        app.host.worker.send({"type": "conversation.item.create", "item": {
            "type": "function_call_output", "call_id": call.turn.call_id, "output": '{"temp_c": 21}'}})
        await wait_for(pilot, lambda: "temp_c" in app.conversation_pane.block(call.item_id).body
                       or any("temp_c" in v.body for v in app.conversation_pane.blocks()),
                       what="the function output shown")


async def test_reset_to_defaults_sends_the_service_defaults(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        app.query_one("#turn_detection_type", Select).value = "none"
        await wait_for(pilot, lambda: app.config.turn_detection.type == "none", what="VAD off")
        assert app.listen_button.label.plain.startswith("Talk")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.config.turn_detection.type == "server_vad", what="defaults back")
        assert app.query_one("#turn_detection_type", Select).value == "server_vad"
        session = received(emulator, "session.update")[-1]["session"]
        assert session["audio"]["input"]["turn_detection"]["threshold"] == SessionConfig().turn_detection.threshold


async def test_a_flood_of_deltas_is_rendered_in_batches_not_per_delta():
    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False,
                   audio=False)
    async with app.run_test(size=SIZE) as pilot:
        renders = []
        original = app.conversation_pane.render_turns
        app.conversation_pane.render_turns = lambda turns: (renders.append(len(turns)), original(turns))
        item = {"id": "item_a", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
        app.ingest(Event("server", "conversation.item.added", {"type": "conversation.item.added", "item": item}, 0.1))
        c = {"response_id": "resp_1", "item_id": "item_a", "output_index": 0, "content_index": 0}
        for i in range(2000):
            app.ingest(Event("server", "response.output_text.delta",
                             {"type": "response.output_text.delta", **c, "delta": "word "}, 0.2 + i / 1000))
        await pilot.pause(0.3)
        assert 1 <= len(renders) <= 3
        views = list(app.conversation_pane.blocks())
        assert len(views) == 1 and views[0].turn.text == "word " * 2000


async def test_interrupted_turn_is_marked_and_shows_only_what_was_heard():
    import base64

    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False,
                   audio=False)
    async with app.run_test(size=SIZE) as pilot:
        item = {"id": "item_v", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
        app.ingest(Event("server", "conversation.item.added", {"type": "conversation.item.added", "item": item}, 0.1))
        c = {"response_id": "resp_v", "item_id": "item_v", "output_index": 0, "content_index": 0}
        words = "one two three four five six seven eight nine ten"
        app.ingest(Event("server", "response.output_audio_transcript.delta",
                         {"type": "response.output_audio_transcript.delta", **c, "delta": words}, 0.2))
        audio = base64.b64encode(bytes(48_000 * 4)).decode()  # 4 s of pcm16 24 kHz
        app.ingest(Event("server", "response.output_audio.delta",
                         {"type": "response.output_audio.delta", **c, "delta": audio}, 0.3))
        app.ingest(Event("server", "conversation.item.truncated", {"type": "conversation.item.truncated",
                                                                   "item_id": "item_v", "content_index": 0,
                                                                   "audio_end_ms": 1000}, 1.2))
        app.flush_render()
        await pilot.pause()
        view = app.conversation_pane.blocks()[0]
        assert any(part == "warning" for part, _ in view.lines)  # drawn in the warning style
        assert "interrupted — heard 1.0 s" in view.status
        body = view.body
        assert body and body != words and words.startswith(body.strip())


async def test_failed_connection_says_why_in_full_and_the_app_stays_up():
    import socket

    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(settings_for(f"ws://127.0.0.1:{port}"), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.query_one("#status-state").has_class("-failed"), what="failed state")
        await wait_for(pilot, lambda: any(n.title == "Connection failed" for n in app._notifications),
                       what="a notification with the reason")
        note = next(n for n in app._notifications if n.title == "Connection failed")
        assert "F6" in note.message and len(note.message) > 10
        await pilot.press(*"hello", "enter")  # still usable: the message waits for a connection
        assert app.is_running
