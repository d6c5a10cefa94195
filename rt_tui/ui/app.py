"""The playground app: layout, bindings, and the glue between widgets and the realtime worker."""

from __future__ import annotations

import time
from collections import deque
from functools import partial
from typing import Any, Callable, Iterable

from pydantic import ValidationError
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, TextArea
from textual.worker import Worker, WorkerState

from rt_tui.config import ConfigError, Settings
from rt_tui.core.conversation import Conversation, reduce
from rt_tui.core.events import Event
from rt_tui.core.session import SessionConfig, describe_errors
from rt_tui.core.tool_calls import CallDesk
from rt_tui.profile_commands import ProfileCommands
from rt_tui.ui.app_actions import PlaygroundActions
from rt_tui.ui.commands import PresetCommands
from rt_tui.ui.connection_host import ConnectionHost
from rt_tui.ui.gc_pacing import GcPacer
from rt_tui.ui.expired_calls import mark_expired, unanswered_calls
from rt_tui.ui.exports import ExportActions
from rt_tui.ui.messages import ConnectionStatusChanged, RealtimeEventArrived, RealtimeEventsArrived, VoiceMessage
from rt_tui.ui.panes.audio_settings import AudioSettings
from rt_tui.ui.panes.conversation import ConversationPane
from rt_tui.ui.panes.instructions import InstructionsPane
from rt_tui.ui.panes.settings import SettingsPane
from rt_tui.ui.panes.call_prompt import CallPrompt
from rt_tui.ui.panes.tools import ToolsPane, initial_tools, save_tool_library
from rt_tui.ui.profile_switch import ProfileSwitching
from rt_tui.ui.screens import ConfigErrorScreen
from rt_tui.ui.widgets.message_input import MessageInput
from rt_tui.ui.widgets.status_bar import StatusBar

INGEST_BUDGET_S = 0.01  # longest the app ingests queued events before yielding to input
RENDER_INTERVAL_S = 0.1  # deltas are batched: the log and status are redrawn at most 10 times a second
INSPECTOR_FLUSH_BUDGET_S = 0.015
NARROW_WIDTH = 120
WIDE_WIDTH = 160
SESSION_LIMIT_S = {"azure": 30 * 60, "openai": 60 * 60, "local": 60 * 60}


def session_limit_s(session: dict[str, Any], fallback: float, now: Callable[[], float] = time.time) -> float:
    """Seconds this session may last: the server's `expires_at` when it is believable, else `fallback`.

    The limit differs by service and route (an emulator's beta/Azure route or `--max-session-s` too); an
    `expires_at` in the past or hours away (a replayed recording, a snapshot fixture) is not a live limit.
    """
    expires_at = session.get("expires_at")
    if isinstance(expires_at, (int, float)) and not isinstance(expires_at, bool):
        left = expires_at - now()
        if 0 < left <= 2 * 60 * 60:
            return left
    return fallback


def _inspector_pane(settings: Settings) -> Widget:
    try:
        from rt_tui.ui.panes.inspector import InspectorPane
    except ImportError:
        from rt_tui.ui.panes.event_list import EventTypeList

        return EventTypeList(id="inspector")
    secrets = [settings.target.api_key] if settings.target.api_key else []
    return InspectorPane(id="inspector", secrets=secrets, capacity=settings.inspector_events)


class PaneColumn(Vertical):
    """A column that F4 can maximise as a whole (the conversation with its input, the inspector)."""

    ALLOW_MAXIMIZE = True


class RtTuiApp(ExportActions, ProfileSwitching, PlaygroundActions, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "rt-tui"
    COMMANDS = App.COMMANDS | {PresetCommands, ProfileCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+s", "apply_instructions", "Apply instructions", id="apply_instructions", priority=True),
        Binding("f2", "toggle_left", "Instructions/settings", id="toggle_left"),
        Binding("f3", "toggle_inspector", "Inspector", id="toggle_inspector"),
        Binding("f4", "toggle_maximize", "Maximise pane", id="toggle_maximize"),
        Binding("f5", "toggle_listening", "Listen", id="toggle_listening"),
        Binding("f7", "toggle_tools", "Tools", id="toggle_tools", show=False,
                tooltip="Show the Tools pane (functions the model may call) in place of the settings"),
        Binding("f6", "reconnect", "Reconnect", id="reconnect", show=False,
                tooltip="Connect again now (after a failure), or start a fresh session"),
        Binding("ctrl+x", "cancel_response", "Cancel response", id="cancel_response", show=False),
        Binding("ctrl+y", "copy_transcript", "Copy transcript", id="copy_transcript", show=False),
        Binding("ctrl+l", "clear_conversation", "Clear conversation", id="clear_conversation", show=False),
        Binding("ctrl+r", "reset_settings", "Reset settings", id="reset_settings", show=False),
        Binding("ctrl+o", "focus_message", "Message input", id="focus_message", show=False),
        Binding("f9", "view_code", "View code", id="view_code", show=False,
                tooltip="The session settings as the exact session.update JSON and as a Python snippet (copy, save)"),
        Binding("ctrl+t", "save_transcript", "Save transcript", id="save_transcript", show=False,
                tooltip="Write the conversation as Markdown to a file (and copy it)"),
        Binding("ctrl+g", "export_events", "Export events", id="export_events", show=False,
                tooltip="Write the events the inspector shows (all when unfiltered) as JSONL"),
        Binding("f8", "toggle_mute", "Mute mic", id="toggle_mute", show=False,
                tooltip="Mute or unmute the microphone (silence is sent while muted)"),
        Binding("space", "push_to_talk", "Push-to-talk", id="push_to_talk", show=False, priority=True,
                tooltip="Turn detection off: start/stop a recording (Space on the empty message input, or F5)"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        connect: bool = True,
        clock: Callable[[], float] = time.monotonic,
        cursor_blink: bool = True,
        autoapply_delay_s: float | None = None,  # None: the config file's autoapply_delay_ms
        audio: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.connect = connect
        self.clock = clock
        self.cursor_blink = cursor_blink
        self.autoapply_delay_s = autoapply_delay_s
        self.conversation = Conversation.empty()
        self.config_error: str | None = None
        self.config = self._initial_config()
        self.tool_library, self.config = initial_tools(settings, self.config)
        self.desired = self.config  # what we last asked the server for; `config` is what it confirmed
        self.dialect = settings.target.dialect
        self.host = ConnectionHost(settings, self._on_worker_event, self._on_worker_status, audio=audio,
                                   on_voice_message=lambda text: self.post_message(VoiceMessage(text)))
        self._cleared_ids: set[str] = set()
        self.expired_calls: set[str] = set()  # function calls whose session ended before they were answered
        self._awaiting: str | None = None  # "instructions" | "settings" while a session.update is unanswered
        self._sent_update_event_id: str | None = None
        self._render_timer: Any = None
        self._autoapply_timer: Any = None
        self._voice_locked = False
        self._arrived: deque[Event] = deque()  # worker events the app's message loop has not taken yet
        self._arrival_posted = False
        self.gc_pacer = GcPacer()
        self.sessions_reflected = 0  # session.created/updated events shown in the form (tests wait on it)

    def _initial_config(self) -> SessionConfig:
        try:
            return SessionConfig.model_validate(self.settings.session or {})
        except ValidationError as exc:
            reasons = "; ".join(f"{k}: {v}" for k, v in describe_errors(exc).items())
            self.config_error = f"The [session] table of the config file is invalid: {reasons}"
            return SessionConfig()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.id != "quit":
                help_text = binding.tooltip or f"{binding.description} ({binding.key})"
                yield SystemCommand(binding.description, help_text, partial(self.run_action, binding.action))
        toggle_recording = getattr(getattr(self, "_inspector", None), "action_toggle_recording", None)
        if toggle_recording is not None:  # the inspector's `r`, reachable whatever has focus
            inspector = self._inspector
            wav = ", audio to WAV files beside it" if inspector.record_audio else ""
            yield SystemCommand("Stop recording" if inspector.recorder is not None else "Record session",
                                f"Every event to a JSONL file{wav} (r in the inspector)", toggle_recording)

    # ---- layout -------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="≋")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield InstructionsPane(self.config.instructions, id="instructions", classes="pane")
                yield SettingsPane(self.config, self._model_label(), id="settings", classes="pane")
                yield ToolsPane(self.tool_library, self.config.tool_choice, id="tools", classes="pane")
            with PaneColumn(id="centre", classes="pane"):
                yield ConversationPane(id="conversation")
                yield CallPrompt(self.host.send, id="call-prompt")
                with Horizontal(id="composer"):
                    yield MessageInput(placeholder="Type a message and press Enter", id="message-input")
                    yield Button("Start listening", id="listen-button", compact=True)
            with PaneColumn(id="right", classes="pane"):
                yield _inspector_pane(self.settings)
        yield StatusBar(self.clock, SESSION_LIMIT_S.get(self.settings.target.provider, 3600), id="status-bar")
        yield Footer(compact=True)

    def _model_label(self) -> str:
        target = self.settings.target
        kind = "deployment" if target.provider == "azure" else "model"
        return f"{target.model} ({kind}, fixed by configuration)"

    @property
    def main(self) -> Screen:
        """The playground screen (queries must not land on a modal or the command palette)."""
        return self.screen_stack[0]

    def on_mount(self) -> None:
        # Kept references: timers and late events may still run while the app tears its screen down.
        self.status_bar = self.main.query_one(StatusBar)
        self.conversation_pane = self.main.query_one(ConversationPane)
        self.settings_pane = self.main.query_one(SettingsPane)
        self.instructions_pane = self.main.query_one(InstructionsPane)
        self.listen_button = self.main.query_one("#listen-button", Button)
        self._inspector = self.main.query_one("#inspector")
        self._load_themes_and_keymap()
        self.sub_title = self._subtitle()
        self.status_bar.set_target(self._target_text())
        self.settings_pane.set_dialect(self.dialect)
        for widget in self.main.query(Input).results():
            widget.cursor_blink = self.cursor_blink
        self.main.query_one("#instructions-editor", TextArea).cursor_blink = self.cursor_blink
        self._apply_width(self.size.width)
        self.main.query_one("#message-input", Input).focus()
        self.set_interval(1.0, self.status_bar.refresh_timer)
        self.set_interval(1.0, self.gc_pacer.tick)
        if not self.is_headless:  # a terminal session; tests and benchmarks start the pacer themselves
            self.call_after_refresh(self.gc_pacer.start)
        if self.connect and self.host.audio:
            self.set_interval(0.1, self._refresh_levels)
            self.settings_pane.mount(AudioSettings(self.host, id="audio-settings"))
        if self.config_error:
            self.show_config_error(self.config_error, "[session] in the config file")
            return
        if self.connect:
            self.run_worker(self._run_connection(), group="connection", name="connection", exit_on_error=False)
        else:
            self.status_bar.set_state("offline")

    def _load_themes_and_keymap(self) -> None:
        from rt_tui.preferences import apply_preferences

        for problem in apply_preferences(self, self.settings.config_path):
            self.notify(problem, severity="warning", timeout=10, markup=False)  # "[keymap]", paths: not markup

    def _subtitle(self) -> str:
        if self.settings.target.provider == "local":
            return "LOCAL EMULATOR — scripted replies, not a model"
        return self.settings.target.describe()

    def _target_text(self) -> str:
        target = self.host.target or self.settings.target
        if target.provider == "local":
            dialect = "GA" if target.dialect == "ga" else "beta"
            return f"local emulator · {target.model} · {dialect}"
        return target.describe()

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        narrow = width < NARROW_WIDTH
        if narrow != self.main.has_class("-narrow") or not self.main.has_class("-sized"):
            self.main.set_class(narrow, "-narrow")
            self.main.add_class("-sized")
            self.main.query_one("#left").display = not narrow
            self.main.query_one("#right").display = width >= WIDE_WIDTH

    # ---- connection ---------------------------------------------------------------------------------------

    async def _run_connection(self) -> None:
        try:
            await self.host.run(self.config)
        except ConfigError as exc:
            self.show_config_error(exc.message, exc.variable)

    def _on_worker_event(self, event: Event) -> None:
        # Merged: one message carries every event that arrives before the app gets to it (a flood of
        # thousands per second would otherwise cost a message dispatch each).
        self._arrived.append(event)
        if not self._arrival_posted:
            self._arrival_posted = True
            self.post_message(RealtimeEventsArrived())

    def _on_worker_status(self, status: Any) -> None:
        self.post_message(ConnectionStatusChanged(status))

    def on_realtime_events_arrived(self, _: RealtimeEventsArrived) -> None:
        self._arrival_posted = False
        if not self.screen_stack:  # events can still arrive while the app shuts down
            return
        arrived, deadline = self._arrived, time.perf_counter() + INGEST_BUDGET_S
        while arrived:
            self.ingest(arrived.popleft())
            if time.perf_counter() > deadline and arrived:
                self._arrival_posted = True  # the rest after input and rendering had their turn
                self.post_message(RealtimeEventsArrived())
                return

    def on_realtime_event_arrived(self, message: RealtimeEventArrived) -> None:
        if self.screen_stack:  # events can still arrive while the app shuts down
            self.ingest(message.event)

    def on_connection_status_changed(self, message: ConnectionStatusChanged) -> None:
        if not self.screen_stack:
            return
        bar = self.status_bar
        bar.set_state(message.status.state, message.status.message)
        bar.set_target(self._target_text())
        if message.status.state == "failed" and message.status.message:
            # The status bar truncates; the reason (401, unknown deployment, TLS…) must be readable in full.
            self.notify(f"{message.status.message}\nF6 reconnects.", title="Connection failed", severity="error",
                        timeout=15, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "connection" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.status_bar.set_state("failed", f"{type(error).__name__}: {error}")

    def show_config_error(self, message: str, variable: str) -> None:
        self.status_bar.set_state("failed", "configuration error")
        self.push_screen(ConfigErrorScreen(message, variable))

    # ---- events → state → screen --------------------------------------------------------------------------

    def ingest(self, event: Event) -> None:
        """Feed one event (live from the worker, or replayed) through the reducer and the panes."""
        self.conversation = reduce(self.conversation, event)
        self.gc_pacer.activity()
        add_event = getattr(self._inspector, "add_event", None)
        if add_event is not None:
            add_event(event)
        if event.direction == "client":
            if event.type == "session.update":
                self._sent_update_event_id = event.payload.get("event_id")
        elif event.type in ("session.created", "session.updated"):
            self._on_session(event)
        elif event.type == "error":
            self._on_error(event.payload.get("error") or {})
        self._schedule_render()

    def _on_session(self, event: Event) -> None:
        session = event.payload.get("session") or {}
        if event.type == "session.created":
            self._expire_calls()
            fallback = SESSION_LIMIT_S.get(self.settings.target.provider, 3600)
            self.status_bar.limit_s = session_limit_s(session, fallback)
            self.status_bar.start_session()
        try:
            server = SessionConfig.from_ga_session(session)
        except ValidationError as exc:
            self.notify(f"Could not read the server's session: {exc}", severity="warning", markup=False)
            return
        if self.config.temperature is not None and server.temperature is None:
            server = server.model_copy(update={"temperature": self.config.temperature})
        self.config = self.desired = server
        self.sessions_reflected += 1
        self.call_later(self.main.query_one(ToolsPane).reflect, server)
        self.settings_pane.reflect(server)
        self.instructions_pane.reflect_server(server.instructions)
        if event.type == "session.updated":
            self._awaiting = None
        if not self.host.listening:
            self._show_listening("idle")  # push-to-talk or not follows turn detection

    def _on_error(self, error: dict[str, Any]) -> None:
        if self._awaiting is None or not self._answers_our_update(error):
            return
        reason = error.get("message") or "the server refused the update"
        if self._awaiting == "instructions":
            self.instructions_pane.mark_rejected(reason)
        else:
            self.settings_pane.reflect(self.config)
            self.notify(f"Settings rejected: {reason}", severity="error", timeout=8, markup=False)
        self.call_later(self.main.query_one(ToolsPane).reflect, self.config)
        self.desired = self.config
        self._awaiting = None

    def _answers_our_update(self, error: dict[str, Any]) -> bool:
        event_id = error.get("event_id")
        if event_id and self._sent_update_event_id:
            return event_id == self._sent_update_event_id
        param = error.get("param") or ""
        return param.startswith("session") or error.get("code") == "cannot_update_voice"

    def _expire_calls(self) -> None:
        """A new session (reconnect): calls of the old one can no longer be answered."""
        expired = unanswered_calls(self.conversation.turns) - self.expired_calls
        if expired:
            self.expired_calls |= expired
            self.main.query_one(CallPrompt).desk = CallDesk()  # no response.create owed to the old session

    def _schedule_render(self) -> None:
        if self._render_timer is None:
            self._render_timer = self.set_timer(RENDER_INTERVAL_S, self._render_now)

    def flush_render(self) -> None:
        """Render pending changes now instead of at the next batch tick (replay, tests)."""
        if self._render_timer is not None:
            self._render_timer.stop()
        self._render_now()

    def _render_now(self) -> None:
        self._render_timer = None
        if not self.screen_stack:
            return
        turns = tuple(t for t in self.conversation.turns if t.item_id not in self._cleared_ids)
        turns = mark_expired(turns, self.expired_calls)
        self.main.query_one(CallPrompt).show_calls(turns, self.conversation.active_response_id, self.tool_library)
        flush_inspector = getattr(self._inspector, "flush", None)
        if flush_inspector is not None:  # its rows change in the same frame as the conversation: one repaint
            flush_inspector(INSPECTOR_FLUSH_BUDGET_S)
        self.conversation_pane.render_turns(turns)
        self.status_bar.set_usage(self.conversation.usage_totals)
        spoke = any(t.role == "assistant" and t.has_audio for t in self.conversation.turns)
        if spoke != self._voice_locked:
            self._voice_locked = spoke
            self.settings_pane.set_voice_locked(spoke)

    # ---- sending ------------------------------------------------------------------------------------------

    @on(Input.Submitted, "#message-input")
    def send_message(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if not self.host.send_text(text):
            self.notify("Not connected: the message was not sent.", severity="warning")
            return
        event.input.clear()

    def _send_config(self, config: SessionConfig, what: str) -> bool:
        if not self.host.update_session(config):
            if self.connect:  # offline (replay) the form just follows the recording: nothing to say
                self.notify("Not connected: nothing was sent.", severity="warning")
            return False
        self.desired = config
        self._awaiting = what
        return True

    def action_apply_instructions(self) -> None:
        pane = self.instructions_pane
        if self._send_config(self.desired.model_copy(update={"instructions": pane.text}), "instructions"):
            pane.mark_pending()

    def on_instructions_pane_edited(self, _: InstructionsPane.Edited) -> None:
        if self._autoapply_timer is not None:
            self._autoapply_timer.stop()
        delay_s = self.autoapply_delay_s or self.settings.autoapply_delay_ms / 1000
        self._autoapply_timer = self.set_timer(delay_s, self._autoapply)

    def _autoapply(self) -> None:
        self._autoapply_timer = None
        if self.instructions_pane.state == "edited":
            self.action_apply_instructions()

    def load_preset(self, text: str) -> None:
        self.instructions_pane.load(text)
        self.action_apply_instructions()

    def on_settings_pane_submitted(self, message: SettingsPane.Submitted) -> None:
        config = message.config.model_copy(update={"instructions": self.desired.instructions,
                                                   "tools": self.desired.tools, "tool_choice": self.desired.tool_choice})
        if config != self.desired:
            self._send_config(config, "settings")

    def on_settings_pane_reset_requested(self, _: SettingsPane.ResetRequested) -> None:
        self.action_reset_settings()

    def action_reset_settings(self) -> None:
        defaults = SessionConfig(instructions=self.desired.instructions, tools=self.desired.tools,
                                 tool_choice=self.desired.tool_choice)  # tools are the Tools pane's
        if self._voice_locked:
            defaults = defaults.model_copy(update={"voice": self.config.voice})
        self.settings_pane.reflect(defaults)
        if defaults != self.desired:
            self._send_config(defaults, "settings")
        self.notify("Settings reset to the service's defaults.", timeout=3)

    def on_tools_pane_changed(self, message: ToolsPane.Changed) -> None:
        self.tool_library = message.library
        try:
            config = self.desired.updated({"tools": message.library.session_tools(),
                                           "tool_choice": message.tool_choice})
        except ValidationError as exc:
            message.pane.show_refused("; ".join(describe_errors(exc).values()))
            return
        if config != self.desired:
            self._send_config(config, "settings")
        problem = save_tool_library(self, message.library)
        if problem:
            self.notify(problem, severity="warning", timeout=8, markup=False)

    def action_toggle_tools(self) -> None:
        """Swap the settings for the Tools pane in the left column (and back)."""
        left, tools = self.main.query_one("#left"), self.main.query_one(ToolsPane)
        showing = tools.display and left.display
        left.display = True
        tools.display = not showing
        self.main.query_one("#settings").display = showing
        if not showing:
            tools.focus()

    def action_reconnect(self) -> None:
        if not self.host.reconnect():
            self.notify("The connection has not started yet.", severity="warning")

    def action_cancel_response(self) -> None:
        self.host.cancel_response()

    @on(Button.Pressed, "#listen-button")
    def _listen_pressed(self) -> None:
        self.action_toggle_listening()

    async def action_quit(self) -> None:
        await self.host.stop()
        self.exit(0)

    async def on_unmount(self) -> None:
        self.gc_pacer.stop()
        await self.host.stop()


def make_app(settings: Settings, **options: Any) -> RtTuiApp:
    """The one factory for the CLI, tests and replay (`connect=False` + `app.ingest(event)`)."""
    return RtTuiApp(settings, **options)
