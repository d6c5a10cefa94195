"""The playground's actions on voice, the conversation and the panes (a mixin of `RtTuiApp`).

Kept apart from app.py so that the app module stays about layout and the event flow. Every `action_*`
here is bound by a `Binding` with an id in `RtTuiApp.BINDINGS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.widgets import Input

from rt_tui.ui.messages import VoiceMessage

if TYPE_CHECKING:
    from rt_tui.ui.app import RtTuiApp

    _Base = RtTuiApp
else:
    _Base = object


class PlaygroundActions(_Base):
    def action_toggle_listening(self) -> None:
        state, problem = self.host.toggle_listening()
        if problem:
            self.notify(problem, severity="warning", timeout=6, markup=False)
        self._show_listening(state)

    def _show_listening(self, state: str) -> None:
        button = self.listen_button
        if state == "talking":
            button.label = "Stop & send"
        elif state == "listening":
            button.label = "Stop listening"
        else:
            push_to_talk = self.desired.turn_detection.type == "none"
            button.label = "Talk (push-to-talk)" if push_to_talk else "Start listening"
        button.set_class(state != "idle", "-listening")

    def action_push_to_talk(self) -> None:
        """Space: start/stop a push-to-talk recording, only while turn detection is off and the message input
        is focused and empty (anywhere else Space types or presses as usual)."""
        focused = self.focused
        talking = bool(self.host.voice is not None and self.host.voice.talking)
        if not (talking or self.desired.turn_detection.type == "none"):
            raise SkipAction()
        if not (isinstance(focused, Input) and focused.id == "message-input" and not focused.value):
            raise SkipAction()
        self.action_toggle_listening()

    def action_toggle_mute(self) -> None:
        muted = not self.host.prefs.mic_muted
        self.host.set_audio(mic_muted=muted)
        for pane in self.main.query("#audio-settings"):
            pane.reflect_mute(muted)  # type: ignore[attr-defined]
        self.notify("Microphone muted (silence is sent)." if muted else "Microphone on.", timeout=3)

    def on_voice_message(self, message: VoiceMessage) -> None:
        self.notify(message.text, severity="warning", timeout=8, markup=False)
        if not self.host.listening and self.screen_stack:
            self._show_listening("idle")

    def _refresh_levels(self) -> None:
        bar = self.status_bar
        if self.host.voice is None and self.host.voice_problem and self.host.audio:
            bar.set_voice_unavailable(self.host.voice_problem)
            return
        was_listening = self.host.listening
        problem = self.host.check_audio()
        if problem:
            if was_listening and not self.host.listening:
                self._show_listening("idle")  # the device went away under the microphone
            if problem != getattr(self, "_shown_audio_problem", None):
                self._shown_audio_problem = problem
                bar.set_voice_unavailable(problem)
            return
        self._shown_audio_problem = None
        bar.set_levels(*self.host.levels())

    def set_levels(self, mic: float | None, speaker: float | None) -> None:
        """Show 0..1 mic/speaker levels (replay; live levels are polled from the voice loop at 10 Hz)."""
        self.status_bar.set_levels(mic, speaker)

    # ---- conversation actions -----------------------------------------------------------------------------

    def action_clear_conversation(self) -> None:
        """Clear the screen and delete the items on the server too, so the model forgets them.

        The session (settings, token totals, timer) is kept; errors are local and just hidden.
        """
        if self.conversation.active_response_id:
            self.host.cancel_response()
        for turn in self.conversation.turns:
            if turn.item_id in self._cleared_ids:
                continue
            self._cleared_ids.add(turn.item_id)
            if turn.kind != "error":
                self.host.delete_item(turn.item_id)
        self._schedule_render()
        self.notify("Conversation cleared (items deleted on the server).", timeout=3)

    # ---- panes --------------------------------------------------------------------------------------------

    def action_toggle_left(self) -> None:
        """Show and focus the instructions; pressed again while there, hide the column."""
        left = self.main.query_one("#left")
        if left.display and self.focused is not None and left in self.focused.ancestors_with_self:
            left.display = False
            self.action_focus_message()
            return
        left.display = True
        self.main.query_one("#instructions-editor").focus()

    def action_toggle_inspector(self) -> None:
        right = self.main.query_one("#right")
        right.display = not right.display

    def action_toggle_maximize(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
            return
        pane = self.focused
        while pane is not None and not pane.has_class("pane"):
            pane = pane.parent  # type: ignore[assignment]
        self.screen.maximize(pane or self.main.query_one("#centre"), container=False)

    def action_focus_message(self) -> None:
        self.main.query_one("#message-input", Input).focus()

