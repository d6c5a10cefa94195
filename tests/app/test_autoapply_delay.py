"""The instructions auto-apply waits for the configured `autoapply_delay_ms`, not a fixed 2 s."""

from __future__ import annotations

import dataclasses

from app_helpers import configured, received, settings_for, wait_for
from textual.widgets import TextArea

from rt_tui.ui.app import make_app
from rt_tui.ui.panes.instructions import InstructionsPane


async def _type_with_autoapply(pilot, app, emulator, text: str) -> tuple[InstructionsPane, int]:
    await configured(pilot, app)
    pane = app.query_one(InstructionsPane)
    pane.autoapply.value = True
    app.query_one("#instructions-editor", TextArea).focus()
    before = len(received(emulator, "session.update"))
    await pilot.press(*text)
    return pane, before


async def test_a_long_configured_delay_is_waited_for(emulator):
    """30 s configured: after 2.5 s without typing (longer than the old fixed 2 s) nothing is sent yet."""
    app = make_app(dataclasses.replace(settings_for(emulator.url), autoapply_delay_ms=30000), cursor_blink=False,
                   audio=False)
    async with app.run_test(size=(160, 48)) as pilot:
        pane, before = await _type_with_autoapply(pilot, app, emulator, "Be brief.")
        await pilot.pause(2.5)
        assert pane.state == "edited" and len(received(emulator, "session.update")) == before


async def test_a_short_configured_delay_applies(emulator):
    app = make_app(dataclasses.replace(settings_for(emulator.url), autoapply_delay_ms=300), cursor_blink=False,
                   audio=False)
    async with app.run_test(size=(160, 48)) as pilot:
        pane, before = await _type_with_autoapply(pilot, app, emulator, "Be brief.")
        await wait_for(pilot, lambda: pane.state == "applied" and pane.applied_text == "Be brief.", what="auto-applied")
        assert received(emulator, "session.update")[-1]["session"]["instructions"] == "Be brief."
