"""The function-call prompt under the conversation: the oldest unanswered call, and ways to answer it.

Shows the call's name and its arguments as they stream, how many calls are pending, and lets the
user type or paste an output (JSON or text), fill in a canned output, or use the tool's automatic
answer. Tools with auto-answer on are answered without asking. Which events go out, and when, is
decided by the core `CallDesk`; `send` is the app's way to the worker (`ConnectionHost.send`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label, Select, Static, TextArea

from rt_tui.core.conversation import Turn
from rt_tui.core.tool_calls import CallDesk, normalise_output
from rt_tui.core.tools import ToolLibrary


class CallPrompt(Vertical):
    def __init__(self, send: Callable[[dict[str, Any]], bool], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Function call"
        self.desk = CallDesk()
        self._send = send
        self._turns: list[Turn] = []
        self._active: str | None = None
        self._library = ToolLibrary()
        self.call: Turn | None = None  # the call shown

    def compose(self) -> ComposeResult:
        yield Label("", id="call-title", markup=False)  # the function name is the server's
        yield Static("", id="call-arguments", markup=False)
        yield TextArea(id="call-output", soft_wrap=True, placeholder="Output for the model: JSON or text")
        with Horizontal(id="call-buttons"):
            yield Button("Send output", id="call-send", variant="primary", compact=True)
            yield Button("Auto-answer", id="call-auto", compact=True)
            yield Select([], prompt="Canned outputs", id="call-canned", compact=True)
        yield Label("", id="call-problem", classes="field-error", markup=False)

    def on_mount(self) -> None:
        self.display = False
        self.query_one("#call-problem").display = False

    def show_calls(self, turns: Sequence[Turn], active_response_id: str | None, library: ToolLibrary) -> None:
        """Called after each render batch: answer auto tools, send a due response.create, show the oldest call."""
        self._turns, self._active, self._library = list(turns), active_response_id, library
        desired = getattr(self.app, "desired", None)  # the session settings last sent (the app's SessionConfig)
        self.desk.tool_choice = desired.tool_choice if desired is not None else "auto"
        self._dispatch(self.desk.auto_answers(self._turns, active_response_id, library))
        pending = self.desk.pending(self._turns)
        call = pending[0] if pending else None
        self.display = call is not None
        if call is None:
            self.call = None
            return
        if self.call is None or self.call.call_id != call.call_id:
            self._new_call(call)
        self.call = call
        waiting = f" · {len(pending)} calls waiting" if len(pending) > 1 else ""
        state = "arguments streaming…" if not self.desk.ready(call) else "waiting for your output"
        self.query_one("#call-title", Label).update(f"{call.name or '?'}  ({state}{waiting})")
        self.query_one("#call-arguments", Static).update(f"arguments: {call.arguments or ''}")
        ready = self.desk.ready(call)
        self.query_one("#call-send", Button).disabled = not ready
        tool = library.get(call.name)
        self.query_one("#call-auto", Button).disabled = not (ready and tool is not None and tool.can_auto_answer)

    def _new_call(self, call: Turn) -> None:
        self.query_one("#call-output", TextArea).load_text("")
        self._set_problem("")
        tool = self._library.get(call.name)
        outputs = tool.canned_outputs if tool else ()
        canned = self.query_one("#call-canned", Select)
        with self.prevent(Select.Changed):
            canned.set_options([(Content(_short(output)), index) for index, output in enumerate(outputs)])
        canned.display = bool(outputs)

    def answer(self, output: str) -> bool:
        """Send `output` for the shown call; False (and a reason) when it cannot be sent."""
        if self.call is None or not self.desk.ready(self.call):
            return False
        text = normalise_output(output)
        if not text:
            self._set_problem("Type an output first (JSON or text), or pick a canned one.")
            return False
        events = self.desk.answer(self._turns, self._active, self.call.call_id or "", text)
        if not self._dispatch(events):
            return False
        self.query_one("#call-output", TextArea).load_text("")
        self.show_calls(self._turns, self._active, self._library)
        return True

    def _dispatch(self, events: list[dict[str, Any]]) -> bool:
        for event in events:
            if not self._send(event):
                for unsent in events:  # not answered after all: keep them pending
                    self.desk.answered.pop((unsent.get("item") or {}).get("call_id", ""), None)
                self._set_problem("Not connected: the output was not sent.")
                return False
        return True

    def _set_problem(self, text: str) -> None:
        problem = self.query_one("#call-problem", Label)
        problem.update(f"✗ {text}" if text else "")
        problem.display = bool(text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "call-send":
            self.answer(self.query_one("#call-output", TextArea).text)
        elif event.button.id == "call-auto" and self.call is not None:
            tool = self._library.get(self.call.name)
            output = tool.answer(self.call.arguments or "") if tool else None
            if output is not None:
                self.answer(output)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        tool = self._library.get(self.call.name) if self.call else None
        if tool is None or not isinstance(event.value, int):
            return
        self.query_one("#call-output", TextArea).load_text(tool.canned_outputs[event.value])

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()  # the app listens for the instructions editor's changes


def _short(text: str, width: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
