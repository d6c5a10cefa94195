"""Switching profiles from the palette (a mixin of `RtTuiApp`): `app.switch_profile(name)`.

The profile is read like `rt-tui --profile NAME` would read it (same file, same precedence) and checked
before anything is stopped, so a broken profile leaves the current connection alone. Then the connection
host is stopped (worker, voice loop, embedded emulator) and started again on the new target with the
profile's session settings and tools. The conversation starts empty: the new session does not know the
old items (the inspector keeps every event of the old session).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from textual.widgets import Label
from textual.worker import WorkerCancelled, WorkerFailed

from rt_tui.config import ConfigError, Settings, load_settings
from rt_tui.core.conversation import Conversation
from rt_tui.core.redaction import register_secret
from rt_tui.core.session import SessionConfig, describe_errors
from rt_tui.core.tool_calls import CallDesk
from rt_tui.core.tools import ToolLibrary

if TYPE_CHECKING:
    from rt_tui.ui.app import RtTuiApp

    _Base = RtTuiApp
else:
    _Base = object


def load_profile(settings: Settings, name: str) -> tuple[Settings, SessionConfig] | str:
    """The settings and session config of profile `name` in the app's config file, or what is wrong."""
    from rt_tui.preferences import default_config_path

    path = settings.config_path or default_config_path()
    try:
        loaded = load_settings(argparse.Namespace(config=str(path), profile=name))
    except ConfigError as exc:
        return f"{exc.message} (fix: {exc.variable})"
    try:
        return loaded, SessionConfig.model_validate(loaded.session or {})
    except ValidationError as exc:
        reasons = "; ".join(f"{field}: {reason}" for field, reason in describe_errors(exc).items())
        return f"The session settings of profile {name} are invalid: {reasons}"


class ProfileSwitching(_Base):
    def switch_profile(self, name: str) -> None:
        if not self.connect:
            self.notify("Offline (replay): there is no connection to switch.", severity="warning")
            return
        loaded = load_profile(self.settings, name)
        if isinstance(loaded, str):
            self.notify(loaded, title=f"Profile {name} not switched to", severity="error", timeout=12, markup=False)
            return
        from rt_tui.ui.panes.tools import initial_tools

        settings, config = loaded
        library, config = initial_tools(settings, config)
        self.run_worker(self._switch_to(settings, config, library), group="profile-switch", exclusive=True,
                        exit_on_error=False)

    async def _switch_to(self, settings: Settings, config: SessionConfig, library: ToolLibrary) -> None:
        self.status_bar.set_state("connecting", f"switching to profile {settings.profile}…")
        await self.host.stop()
        for worker in [w for w in self.workers if w.group == "connection" and not w.is_finished]:
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass  # it has ended either way
        # Queued after every event the old worker posted, so none of them lands in the new conversation.
        self.call_later(self._start_profile, settings, config, library)

    async def _start_profile(self, settings: Settings, config: SessionConfig, library: ToolLibrary) -> None:
        from rt_tui.ui.panes.call_prompt import CallPrompt
        from rt_tui.ui.panes.tools import ToolsPane

        arrived = getattr(self, "_arrived", None)  # events merged for batched ingest, if the app batches them
        while arrived:
            self.ingest(arrived.popleft())  # the old session's last events belong to the old conversation
        self.settings, self.dialect = settings, settings.target.dialect
        register_secret(settings.target.api_key)
        self._add_inspector_secret(settings.target.api_key)
        self.conversation = Conversation.empty()
        self._cleared_ids = set()
        self.expired_calls = set()
        self.main.query_one(CallPrompt).desk = CallDesk()
        self.config = self.desired = config
        self.tool_library = library
        self._awaiting = None
        self._voice_locked = False
        self.settings_pane.set_voice_locked(False)
        self.settings_pane.set_dialect(self.dialect)
        self.settings_pane.reflect(config)
        self.settings_pane.query_one("#model-label", Label).update(self._model_label())
        self.instructions_pane.reflect_server(config.instructions)
        tools = self.main.query_one(ToolsPane)
        tools.library, tools.tool_choice = library, config.tool_choice
        await tools.reflect(config)
        self.host.reset(settings)
        self.sub_title = self._subtitle()
        self.status_bar.set_target(self._target_text())
        self.run_worker(self._run_connection(), group="connection", name="connection", exit_on_error=False)
        self._schedule_render()
        self.notify(f"Switched to profile {settings.profile}: {settings.target.describe()}", timeout=6, markup=False)

    def _add_inspector_secret(self, key: str | None) -> None:
        event_log: Any = getattr(self._inspector, "event_log", None)
        if key and event_log is not None and key not in event_log.secrets:
            event_log.secrets = (*event_log.secrets, key)
