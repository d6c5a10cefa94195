"""View code, exports, profile switching, a silent offline replay, and calls that expire with their session —
Pilot tests against the real emulator on loopback."""

from __future__ import annotations

import argparse
import dataclasses
import json
import socket
from pathlib import Path

from textual.widgets import Input, Select, TextArea

from textual.command import CommandList

from rt_tui.config import Settings, Target, load_settings
from rt_tui.core.events import Event
from rt_tui.core.export import session_update_json
from rt_tui.core.session import SessionConfig
from rt_tui.core.tools import ToolLibrary
from rt_tui.ui.app import make_app
from rt_tui.ui.code_screen import CodeScreen
from rt_tui.ui.expired_calls import EXPIRED
from rt_tui.ui.panes.call_prompt import CallPrompt

from app_helpers import received, settings_for, wait_for

SIZE = (200, 50)
WEATHER = ToolLibrary.examples().get("get_weather").session_tool()


def _app(emulator, dialect: str = "ga", **session):
    settings = dataclasses.replace(settings_for(emulator.url, dialect),
                                   session={"output_modalities": "text", **session})
    return make_app(settings, cursor_blink=False, audio=False)


async def _configured(pilot, app) -> None:
    await wait_for(pilot, lambda: app.sessions_reflected >= 2 and app._awaiting is None, what="configured")


def _notes(app) -> list[str]:
    notes: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (notes.append(str(message)), notify(message, **kw))[1]
    return notes


def _reply(app):
    views = [v for v in app.conversation_pane.blocks() if v.turn.role == "assistant" and v.turn.kind == "message"]
    return views and views[-1].turn.status == "completed" and views[-1].turn


async def test_view_code_shows_the_exact_update_and_a_snippet_with_tools(emulator, tmp_path: Path) -> None:
    app = _app(emulator, "beta", tools=[WEATHER], voice="ash")
    async with app.run_test(size=SIZE) as pilot:
        await _configured(pilot, app)
        await pilot.press("f9")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen) and app.screen, what="view code")
        shown_json = screen.query_one("#code-json", TextArea).text
        assert shown_json == session_update_json(app.desired, "beta")
        update = json.loads(shown_json)
        assert update["session"]["tools"] == [WEATHER] and update["session"]["voice"] == "ash"
        assert "type" not in update["session"]  # beta shape: the connection's dialect
        code = screen.query_one("#code-python", TextArea).text
        compile(code, "rt_tui_session.py", "exec")
        assert "client.beta.realtime.connect" in code and emulator.url.split("//")[1] in code
        canned = ToolLibrary.examples().get("get_weather").canned_outputs[0]
        assert "FUNCTION_OUTPUTS" in code and canned[:15] in code  # the canned output answers the call

        await pilot.click("#code-copy-json")
        assert app.clipboard == shown_json
        screen.query_one("#code-path-json", Input).value = str(tmp_path / "update.json")
        await pilot.click("#code-save-json")
        assert (tmp_path / "update.json").read_text() == shown_json
        await pilot.click("#--content-tab-code-tab-python")
        await wait_for(pilot, lambda: screen.active_key == "python", what="the Python tab")
        await pilot.press("ctrl+b")
        assert app.clipboard == code
        screen.query_one("#code-path-python", Input).value = "snippet.py"  # relative: in the export directory
        screen.query_one("#code-path-python", Input).focus()
        await pilot.press("enter")
        assert screen.saved["python"].read_text() == code
        screen.saved["python"].unlink()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CodeScreen), what="closed")


async def test_transcript_saved_as_markdown_and_events_exported_as_jsonl(emulator, tmp_path: Path,
                                                                          monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await _configured(pilot, app)
        await pilot.press("ctrl+o", *"hello there", "enter")
        reply = await wait_for(pilot, lambda: _reply(app), what="the reply")
        await pilot.press("ctrl+t")
        [markdown] = await wait_for(pilot, lambda: list(tmp_path.glob("rt-tui-transcript-*.md")), what="transcript")
        text = markdown.read_text()
        assert text.startswith("# rt-tui conversation") and "### You\n\nhello there" in text
        assert "### Assistant" in text and reply.text in text
        assert app.clipboard == text
        await pilot.press("ctrl+g")
        [events] = await wait_for(pilot, lambda: list(tmp_path.glob("rt-tui-events-*.jsonl")), what="events")
        types = [json.loads(line)["type"] for line in events.read_text().splitlines()]
        assert "session.update" in types and "response.done" in types


def _write_profiles(path: Path, lab_url: str) -> None:
    endpoint = lab_url.replace("ws://", "http://")
    path.write_text(f"""# my profiles
[profiles.home]
local = true

[profiles.lab]  # the lab resource
provider = "azure"
endpoint = "{endpoint}"
deployment = "lab-realtime"
api_version = "2025-04-01-preview"
api_key_env = "RT_TUI_TEST_LAB_KEY"

[profiles.lab.session]
voice = "ash"
output_modalities = "text"
""")


def _palette_offers(app, title: str) -> bool:
    lists = app.screen.query(CommandList)
    if not lists:
        return False
    options = lists.first()
    return options.option_count > 0 and title in str(options.get_option_at_index(0).prompt)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_switching_profile_reconnects_to_the_new_target(emulator, tmp_path: Path, monkeypatch) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT_NAME", "OPENAI_API_KEY",
                 "OPENAI_API_VERSION", "OPENAI_BASE_URL", "RT_TUI_PROVIDER", "RT_TUI_LOCAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RT_TUI_TEST_LAB_KEY", "lab-secret-key-0123456789")
    config = tmp_path / "config.toml"
    _write_profiles(config, emulator.url)
    settings = load_settings(argparse.Namespace(config=str(config), profile="home"))
    app = make_app(settings, cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await _configured(pilot, app)
        embedded = app.host.emulator
        port = int(app.host.target.endpoint.rsplit(":", 1)[1])
        assert embedded is not None and port > 0  # (no raw probe while it runs: it logs a failed handshake)

        await pilot.press("ctrl+p")
        await pilot.press(*"switch to lab")
        await wait_for(pilot, lambda: _palette_offers(app, "Profile: switch to lab"), what="the palette entry")
        await pilot.press("enter")

        await wait_for(pilot, lambda: received(emulator, "session.update"), what="session.update on the lab target")
        await wait_for(pilot, lambda: app.settings.profile == "lab" and app.sessions_reflected >= 2
                       and app.config.voice == "ash", what="the lab session configured")
        update = received(emulator, "session.update")[0]["session"]
        assert update["voice"] == "ash" and update["modalities"] == ["text"] and "type" not in update  # beta
        assert not _port_open(port) and app.host.emulator is None  # the embedded emulator was stopped
        target_text = str(app.query_one("#status-target").render())
        assert "Azure OpenAI" in target_text and "beta" in target_text
        assert "deployment lab-realtime" in app.sub_title
        assert app.query_one("#status-state").has_class("-connected")

        await pilot.press("ctrl+o", *"hi lab", "enter")
        await wait_for(pilot, lambda: _reply(app), what="a reply from the lab target")
        assert [t.text for t in app.conversation.turns if t.role == "user"] == ["hi lab"]  # a fresh conversation


async def test_switching_to_a_broken_profile_keeps_the_connection(emulator, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("RT_TUI_TEST_LAB_KEY", raising=False)
    config = tmp_path / "config.toml"
    _write_profiles(config, emulator.url)
    app = make_app(dataclasses.replace(settings_for(emulator.url), config_path=config), cursor_blink=False,
                   audio=False)
    notes = _notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await _configured(pilot, app)
        worker = app.host.worker
        app.switch_profile("lab")
        await pilot.pause(0.3)
        assert any("RT_TUI_TEST_LAB_KEY" in note for note in notes)
        assert app.host.worker is worker and app.settings.profile is None


async def test_offline_replay_sends_nothing_and_says_nothing() -> None:
    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False,
                   audio=False)
    notes = _notes(app)
    async with app.run_test(size=SIZE) as pilot:
        for index, config in enumerate([SessionConfig(), SessionConfig(voice="ash", instructions="Be brief."),
                                        SessionConfig(voice="ash", tools=[WEATHER])]):
            kind = "session.created" if index == 0 else "session.updated"
            app.ingest(Event("server", kind, {"type": kind, "session": config.to_ga_session()}, index, kind, 100))
            app.flush_render()
            await pilot.pause(0.1)
        app.query_one("#voice", Select).value = "coral"  # a form change that would be submitted live
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")  # apply instructions
        await pilot.pause(0.2)
        assert app.host.worker is None
        assert not [note for note in notes if "Not connected" in note], notes
        assert app.config.voice == "ash" and app.config.tools == [WEATHER]


async def test_calls_of_an_ended_session_are_shown_as_expired(emulator) -> None:
    app = _app(emulator, tools=[WEATHER])
    async with app.run_test(size=SIZE) as pilot:
        await _configured(pilot, app)
        prompt = app.query_one(CallPrompt)
        await pilot.press("ctrl+o", *"weather in Paris", "enter")
        call = await wait_for(pilot, lambda: prompt.call and prompt.desk.ready(prompt.call) and prompt.call,
                              what="a pending call")
        created = len([e for e in emulator.sent if e.get("type") == "session.created"])
        await pilot.press("f6")  # a fresh session
        await wait_for(pilot, lambda: len([e for e in emulator.sent if e.get("type") == "session.created"]) > created,
                       what="the new session")
        await wait_for(pilot, lambda: not prompt.display, what="the prompt to let go of the old call")
        view = next(v for v in app.conversation_pane.blocks() if v.turn.item_id == call.item_id)
        assert EXPIRED in view.status
        assert "pending" not in view.status
        assert not [e for e in received(emulator, "conversation.item.create")
                    if e["item"]["type"] == "function_call_output"]
