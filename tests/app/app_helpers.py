"""Helpers for the app tests (imported by module name: the tests directory has no packages)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from rt_tui.config import Settings, Target, resolve_target_for_emulator
from rt_tui.core.connection import RealtimeWorker
from rt_tui.core.events import Event


def settings_for(url: str, dialect: str = "ga") -> Settings:
    return Settings(target=resolve_target_for_emulator(url, dialect=dialect))  # type: ignore[arg-type]


async def wait_for(pilot: Any, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Poll `predicate` while letting the app run; fail with `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


def received(emu: Any, event_type: str) -> list[dict]:
    return [e for e in emu.received if e.get("type") == event_type]


async def configured(pilot: Any, app: Any) -> None:
    """Connected, session.created shown, and the worker's first session.update answered by session.updated."""
    await wait_for(pilot, lambda: app.query_one("#status-state").has_class("-connected"), what="connected")
    await wait_for(pilot, lambda: app.status_bar.session_started is not None, what="session.created")
    await wait_for(pilot, lambda: app.sessions_reflected >= 2 and app._awaiting is None, what="the first session.updated")


async def submit_field(pilot: Any, app: Any, selector: str, value: str) -> None:
    """Set a form Input to `value` and press Enter in it, as a user ends an edit."""
    field = app.query_one(selector)
    field.focus()
    field.value = value
    await pilot.press("enter")


def offline_app(**settings: Any) -> Any:
    """An unconnected app: the test feeds it the server's answers with `app.ingest(event)`."""
    from rt_tui.ui.app import make_app

    target = Target("local", "http://127.0.0.1:9", "gpt-realtime")
    return make_app(Settings(target=target, **settings), connect=False, cursor_blink=False, audio=False)


def attach_idle_worker(app: Any) -> None:
    """A real RealtimeWorker that never connects: the app's commands queue in it as if it were connected."""
    app.host.worker = RealtimeWorker(app.settings.target, app.config, lambda e: None, lambda s: None)


def refuse_update(app: Any, event_id: str, param: str, message: str) -> None:
    """A session.update going out and the server's error answering it (by `event_id`), fed to the app."""
    app.ingest(Event("client", "session.update", {"type": "session.update", "event_id": event_id}, 1.0))
    app.ingest(Event("server", "error", {"type": "error", "error": {
        "type": "invalid_request_error", "code": "invalid_value", "param": param, "message": message,
        "event_id": event_id}}, 1.1))


def layout_requests(widget: Any) -> list[bool]:
    """Record every refresh(layout=True) the widget asks for (a real refresh still happens)."""
    requests: list[bool] = []
    original = widget.refresh

    def refresh(*regions: Any, layout: bool = False, **kwargs: Any) -> Any:
        if layout:
            requests.append(True)
        return original(*regions, layout=layout, **kwargs)

    widget.refresh = refresh
    return requests
