"""After the server rejects an update that carried a tools change, the Tools pane and the app agree."""

from __future__ import annotations

import dataclasses

from app_helpers import configured, received, settings_for, wait_for
from textual.widgets import Checkbox

from rt_tui.ui.app import make_app
from rt_tui.ui.panes.tools import ToolsPane

SIZE = (160, 48)


async def test_a_rejected_tools_update_leaves_pane_and_app_with_the_sessions_tools(emulator):
    """The emulator refuses a voice change once the conversation has assistant audio (`cannot_update_voice`).
    Set up here: the emulator's session counts as having spoken, and a voice change is still on its way in
    `app.desired`; ticking a tool then sends one real session.update carrying both, which the server rejects."""
    settings = dataclasses.replace(settings_for(emulator.url), session={"output_modalities": "text"})
    app = make_app(settings, cursor_blink=False, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await configured(pilot, app)
        pane = app.query_one(ToolsPane)
        await pilot.press("f7")
        assert not pane.library.get("get_weather").enabled
        emulator.sessions[-1].voice_locked = True
        app.desired = app.desired.model_copy(update={"voice": "ash"})
        errors_before = len([e for e in emulator.sent if e.get("type") == "error"])
        index = pane.library.names().index("get_weather")
        await pilot.click(f"#tool-enabled-{index}")
        await wait_for(pilot, lambda: app._awaiting is None and app.desired == app.config, what="the rejection")
        update = received(emulator, "session.update")[-1]["session"]
        assert [t["name"] for t in update["tools"]] == ["get_weather"] and update["audio"]["output"]["voice"] == "ash"
        errors = [e for e in emulator.sent if e.get("type") == "error"][errors_before:]
        assert [e["error"]["code"] for e in errors] == ["cannot_update_voice"]
        await pilot.pause(0.2)
        assert app.config.tools == []
        assert not pane.library.get("get_weather").enabled
        assert not app.query_one(f"#tool-enabled-{index}", Checkbox).value
        assert app.tool_library == pane.library
        assert app.tool_library.session_tools() == []
