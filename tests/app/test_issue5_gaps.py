"""Issue 5 promises that had no test of their own: the session countdown follows the server's expiry, the
instructions pane shows the server's text on session.updated, voice turns show the user transcript (or why
there is none), every settings field refuses bad values inline without sending, and output modalities and
transcription reach the wire in the connection's shape."""

from __future__ import annotations

import base64

from app_helpers import attach_idle_worker, offline_app, received, refuse_update, settings_for, wait_for
from textual.widgets import Input, Select

from rt_tui.config import Settings, Target
from rt_tui.core.events import Event
from rt_tui.emulator.options import EmulatorOptions
from rt_tui.emulator.server import Emulator
from rt_tui.ui.app import make_app, session_limit_s
from rt_tui.ui.panes.instructions import InstructionsPane

from scripted_session import SESSION, conversation_events

SIZE = (160, 48)


def _offline_app():
    return make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False,
                    audio=False)


async def _configured(pilot, app) -> None:
    await wait_for(pilot, lambda: app.status_bar.session_started is not None, what="session.created")
    await wait_for(pilot, lambda: app.sessions_reflected >= 2 and app._awaiting is None, what="configured")


def test_session_limit_comes_from_expires_at_when_believable():
    now = lambda: 1_000_000.0  # noqa: E731
    assert session_limit_s({"expires_at": 1_000_600}, 3600, now) == 600
    assert session_limit_s({}, 3600, now) == 3600
    assert session_limit_s({"expires_at": 999_000}, 1800, now) == 1800  # already past: a replayed recording
    assert session_limit_s({"expires_at": 9_000_000}, 1800, now) == 1800  # days away: not a session limit
    assert session_limit_s({"expires_at": "soon"}, 1800, now) == 1800


async def test_status_bar_counts_down_to_the_servers_session_limit():
    emu = Emulator(EmulatorOptions(host="127.0.0.1", port=0, ping_interval_s=None, max_session_s=600))
    await emu.start()
    try:
        app = make_app(settings_for(emu.url), cursor_blink=False, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            await _configured(pilot, app)
            assert 590 <= app.status_bar.limit_s <= 600
            timer = str(app.query_one("#status-timer").render())
            assert "(09:5" in timer and "left)" in timer, timer
            assert app.query_one("#status-timer").has_class("-ending") is False
    finally:
        await emu.stop()


async def test_session_updated_shows_the_servers_instructions_unless_the_user_is_editing():
    app = _offline_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(InstructionsPane)
        server = {**SESSION, "instructions": "Server side text."}
        app.ingest(Event("server", "session.updated", {"type": "session.updated", "session": server}, 0.1))
        await pilot.pause()
        assert pane.text == "Server side text." and pane.state == "applied"
        pane.load("My unsent draft.")
        await pilot.pause()
        assert pane.state == "edited"
        server = {**SESSION, "instructions": "Changed elsewhere."}
        app.ingest(Event("server", "session.updated", {"type": "session.updated", "session": server}, 0.2))
        await pilot.pause()
        assert pane.text == "My unsent draft." and pane.state == "edited"  # the draft is the user's work
        assert pane.applied_text == "Changed elsewhere."


def _user_voice_turn(item_id: str) -> list[Event]:
    item = {"id": item_id, "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_audio", "transcript": None}]}
    return [Event("server", "conversation.item.added", {"type": "conversation.item.added", "item": item}, 0.1)]


async def test_user_voice_turn_shows_its_transcript_or_why_there_is_none():
    app = _offline_app()
    async with app.run_test(size=SIZE) as pilot:
        for item_id in ("item_heard", "item_failed", "item_plain"):
            for event in _user_voice_turn(item_id):
                app.ingest(event)
        app.ingest(Event("server", "conversation.item.input_audio_transcription.completed", {
            "type": "conversation.item.input_audio_transcription.completed", "item_id": "item_heard",
            "content_index": 0, "transcript": "what time is it"}, 0.5))
        app.ingest(Event("server", "conversation.item.input_audio_transcription.failed", {
            "type": "conversation.item.input_audio_transcription.failed", "item_id": "item_failed",
            "content_index": 0, "error": {"type": "transcription_error", "message": "audio too short"}}, 0.6))
        app.flush_render()
        await pilot.pause()
        bodies = {v.item_id: v.body for v in app.conversation_pane.blocks()}
        assert bodies["item_heard"] == "what time is it"
        assert "transcription failed: audio too short" in bodies["item_failed"]
        assert "input transcription is off" in bodies["item_plain"]
        titles = {v.item_id: v.title for v in app.conversation_pane.blocks()}
        assert titles["item_heard"] == "You  (voice)"


async def test_assistant_turn_shows_latency_and_tokens_split_by_text_and_audio():
    app = _offline_app()
    async with app.run_test(size=SIZE) as pilot:
        for event in conversation_events(finish=True):
            app.ingest(event)
        c = {"response_id": "resp_0001", "item_id": "item_asst0001", "output_index": 0, "content_index": 0}
        audio = base64.b64encode(bytes(4800)).decode()
        app.ingest(Event("server", "response.output_audio.delta", {"type": "response.output_audio.delta", **c,
                                                                     "delta": audio}, 1.4))
        app.flush_render()
        await pilot.pause()
        view = next(v for v in app.conversation_pane.blocks() if v.turn.role == "assistant")
        meta = view.meta
        assert "latency 312 ms" in meta  # client conversation.item.create at 1.0 s → first delta at 1.312 s
        assert "tokens in 112 (text 112, audio 0) · out 19 (text 19, audio 0)" in meta
        assert "tokens 112 in/19 out" in str(app.query_one("#status-tokens").render())


BAD_VALUES = {
    "threshold": "1.7",
    "prefix_padding_ms": "-5",
    "silence_duration_ms": "12.5",
    "idle_timeout_ms": "100",
    "temperature": "2.5",
    "max_output_tokens": "5000",
}


async def test_every_text_setting_refuses_bad_values_inline_and_sends_nothing(emulator):
    app = make_app(settings_for(emulator.url, dialect="beta"), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await _configured(pilot, app)
        before = len(received(emulator, "session.update"))
        for name, bad in BAD_VALUES.items():
            field = app.query_one(f"#{name}", Input)
            good = field.value
            field.focus()
            field.value = bad
            await pilot.press("enter")
            await pilot.pause(0.05)
            error = app.query_one(f"#error-{name}")
            assert error.display and str(error.render()).startswith("✗"), name
            field.value = good
            await pilot.pause(0.05)
            assert not error.display, name
        app.query_one("#message-input").focus()
        await pilot.pause(0.3)
        assert len(received(emulator, "session.update")) == before


async def test_output_modalities_and_transcription_in_ga_shape(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await _configured(pilot, app)
        app.query_one("#transcription_model", Select).value = "gpt-4o-transcribe"
        await wait_for(pilot, lambda: app.config.transcription_model == "gpt-4o-transcribe", what="transcription on")
        app.query_one("#noise_reduction", Select).value = "far_field"
        await wait_for(pilot, lambda: app.config.noise_reduction == "far_field", what="noise reduction on")
        app.query_one("#output_modalities", Select).value = "text"
        await wait_for(pilot, lambda: app.config.output_modalities == "text", what="text only")
        session = received(emulator, "session.update")[-1]["session"]
        assert session["output_modalities"] == ["text"]
        assert session["audio"]["input"]["transcription"]["model"] == "gpt-4o-transcribe"
        assert session["audio"]["input"]["noise_reduction"] == {"type": "far_field"}
        await pilot.press(*"hi", "enter")
        view = await wait_for(pilot, lambda: [v for v in app.conversation_pane.blocks() if v.turn.role == "assistant"
                                               and v.turn.status == "completed"], what="a text reply")
        assert not view[0].turn.has_audio and "(voice)" not in view[0].title


async def test_output_modalities_in_beta_shape(emulator):
    app = make_app(settings_for(emulator.url, dialect="beta"), cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await _configured(pilot, app)
        app.query_one("#output_modalities", Select).value = "text"
        await wait_for(pilot, lambda: app.config.output_modalities == "text", what="text only")
        session = received(emulator, "session.update")[-1]["session"]
        assert session["modalities"] == ["text"] and "output_modalities" not in session
        assert app.query_one("#output_modalities", Select).value == "text"


async def test_palette_lists_the_apps_commands_and_runs_them():
    app = _offline_app()
    async with app.run_test(size=SIZE) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in ("Apply instructions", "Instructions/settings", "Inspector", "Maximise pane", "Listen",
                      "Reset settings", "Clear conversation", "Copy transcript", "Cancel response"):
            assert title in commands, sorted(commands)
        shown = app.query_one("#right").display
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"Inspector")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_one("#right").display is not shown, what="inspector toggled")


async def test_rejected_instructions_show_the_whole_server_message():
    """The state line has ~22 columns; the server's reason must still be readable in full."""
    app = offline_app()
    async with app.run_test(size=SIZE) as pilot:
        attach_idle_worker(app)
        pane = app.query_one(InstructionsPane)
        pane.load("Whisper everything.")
        await pilot.pause()
        assert "Ctrl+S" in str(pane.state_label.render()) and pane.state_label.content_size.width >= len(
            str(pane.state_label.render()))  # the edited hint fits
        await pilot.press("ctrl+s")
        reason = "Invalid value for 'session.instructions': the text is longer than the service accepts."
        refuse_update(app, "evt_9", "session.instructions", reason)
        await pilot.pause()
        assert pane.state == "rejected"
        assert any(n.title == "Instructions rejected" and n.message == reason for n in app._notifications)
        assert reason in str(pane.state_label.tooltip)
