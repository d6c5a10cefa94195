"""The first-screen promises of the foundation, checked through the real app against a real emulator:
a configured Azure target is shown (never its key) and a reply streams onto the screen; Ctrl+Q closes the
connection and the embedded emulator; without PortAudio (`import sounddevice` raises OSError) text works
and one line says why voice is unavailable."""

from __future__ import annotations

import argparse
import asyncio
import ctypes.util
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from textual.widgets import Input
from app_helpers import settings_for, wait_for

from rt_tui.config import Settings, Target, load_settings
from rt_tui.emulator.options import EmulatorOptions
from rt_tui.emulator.server import Emulator
from rt_tui.ui.app import make_app

KEY = "audit-key-5b7e0c1d9f"  # shape-less on purpose: only the app's own redaction can hide it


def _screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _assistant_views(app) -> list:
    return [v for v in app.conversation_pane.blocks() if v.turn.role == "assistant"]


@pytest.mark.parametrize("api_version, shown", [
    (None, ("GA", "v1 route")),
    ("2025-04-01-preview", ("beta (preview)", "api-version 2025-04-01-preview")),
])
async def test_azure_target_is_shown_without_its_key_and_the_reply_streams(tmp_path: Path, api_version, shown):
    options = EmulatorOptions(api_key=KEY, first_delta_ms=30, text_delta_ms=40, ping_interval_s=None)
    async with Emulator(options) as emu:
        (tmp_path / "config.toml").write_text('[session]\noutput_modalities = "text"\n')  # paced text deltas
        env = {"AZURE_OPENAI_ENDPOINT": emu.url.replace("ws://", "http://"), "AZURE_OPENAI_API_KEY": KEY,
               "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-realtime", "RT_TUI_CONFIG": str(tmp_path / "config.toml")}
        if api_version:
            env["OPENAI_API_VERSION"] = api_version
        settings = load_settings(argparse.Namespace(), env=env)
        app = make_app(settings, cursor_blink=False, audio=False)
        async with app.run_test(size=(170, 48)) as pilot:
            await wait_for(pilot, lambda: app.status_bar.session_started is not None, what="session.created")
            target = str(app.query_one("#status-target").render())
            port = urlsplit(emu.url).port
            dialect, route = shown
            assert target == f"Azure OpenAI · {dialect} · API key · deployment gpt-realtime · 127.0.0.1:{port} · {route}"
            await pilot.press(*"hello")
            # Enter without pilot.press: press() waits for the CPU to go idle, i.e. for the whole reply
            await app.query_one("#message-input", Input).action_submit()
            seen: list[tuple[str, str]] = []  # (status, text on screen) while the reply arrives

            def completed():
                views = _assistant_views(app)
                if views:
                    seen.append((views[-1].turn.status, views[-1].body.strip()))
                return views and views[-1].turn.status == "completed"

            await wait_for(pilot, completed, timeout=20, what="a completed reply")
            await pilot.pause(0.1)
            final = _assistant_views(app)[-1].body.strip()
            partial = [text for status, text in seen if status == "in_progress" and text and final.startswith(text)
                       and len(text) < len(final)]
            assert partial, f"the reply never showed on screen part-way: {seen[:5]}…"
            screen = _screen_text(app)
            assert "Azure OpenAI" in screen and final[:40] in screen and KEY not in screen
            assert app.query_one("#right").display  # the inspector (raw events) was on screen too


async def test_ctrl_q_closes_the_connection(emulator):
    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.status_bar.session_started is not None, what="session.created")
        assert emulator._server.connections  # websockets' own set of open server connections
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
    assert app.return_code == 0
    for _ in range(100):
        if not emulator._server.connections:
            break
        await asyncio.sleep(0.02)
    assert not emulator._server.connections, "the app left its websocket open"


async def test_ctrl_q_stops_the_embedded_emulator():
    app = make_app(Settings(target=Target("local", "", "gpt-realtime")), cursor_blink=False, audio=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.status_bar.session_started is not None, what="session.created")
        embedded = app.host.emulator
        thread, url = embedded._thread, embedded.url
        assert thread.is_alive()
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
    assert not thread.is_alive(), "the embedded emulator's thread still runs"
    parts = urlsplit(url)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()


async def test_without_portaudio_text_works_and_one_line_says_why(emulator, monkeypatch):
    # What `import sounddevice` does on a machine without libportaudio2: OSError("PortAudio library not found").
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    with pytest.raises(OSError):
        import sounddevice  # noqa: F401
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)

    app = make_app(settings_for(emulator.url), cursor_blink=False, audio=True)
    async with app.run_test(size=(200, 40)) as pilot:
        assert app.focused is app.query_one("#message-input")
        await wait_for(pilot, lambda: app.status_bar.session_started is not None, what="session.created")
        levels = app.query_one("#status-levels")
        await wait_for(pilot, lambda: "voice unavailable" in str(levels.render()), what="the voice line")
        line = str(levels.render())
        assert "PortAudio is not available (install libportaudio2)" in line and "\n" not in line.strip()
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: any(v.turn.status == "completed" for v in _assistant_views(app)),
                       what="a reply by text")


async def test_a_long_azure_target_keeps_its_facts_visible_at_120_columns():
    target = Target("azure", "https://my-resource.openai.azure.com", "gpt-realtime", route="classic", dialect="beta",
                    auth="entra", api_version="2025-04-01-preview")
    app = make_app(Settings(target=target), connect=False, cursor_blink=False, audio=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        lines = _screen_text(app).splitlines()
        header, status_line = lines[0], lines[-2]
        for fact in ("Azure OpenAI", "beta (preview)", "Microsoft Entra ID", "deployment gpt-realtime"):
            assert fact in header and fact in status_line, (header, status_line)
        assert "my-resource" in header, header  # the long host comes last: cut first, in the status line
