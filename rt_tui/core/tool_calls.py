"""Answering function calls: which calls are pending, and which client events an answer needs, when.

The protocol: the client answers with `conversation.item.create {type: "function_call_output", call_id,
output}` and then asks for a new response. `response.create` while a response is active is refused
(`conversation_already_has_active_response`), and the calls of one response (parallel calls) should all
be answered before the model continues. So an output is sent at once, while its `response.create` waits
until the call's response has finished and no other call of that response is still unanswered.

A session whose `tool_choice` forces a call ("required" or a named function) forces it in every response,
the one after the outputs too: the model would call again, and with auto-answer on, forever. So that
follow-up `response.create` lets the model choose (`tool_choice: "auto"` for that response only), as the
OpenAI Agents SDK's `reset_tool_choice` does.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from rt_tui.core.conversation import Turn
from rt_tui.core.tools import ToolLibrary

_DEAD = ("cancelled", "incomplete", "failed", "interrupted")


def output_item_event(call_id: str, output: str) -> dict[str, Any]:
    return {"type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": call_id, "output": output}}


def follow_up_response(tool_choice: str | dict[str, Any] = "auto") -> dict[str, Any]:
    """The `response.create` after function outputs; a forced choice is relaxed to "auto" for it."""
    if tool_choice in ("auto", "none"):
        return {"type": "response.create"}
    return {"type": "response.create", "response": {"tool_choice": "auto"}}


def normalise_output(text: str) -> str:
    """What the user typed or pasted: JSON is sent compact, anything else as the text itself."""
    stripped = text.strip()
    try:
        return json.dumps(json.loads(stripped), ensure_ascii=False)
    except ValueError:
        return stripped


class CallDesk:
    """Tracks answers given in this app; the conversation (from the reducer) is the rest of the truth."""

    def __init__(self) -> None:
        self.answered: dict[str, str] = {}  # call_id → output sent (the server's echo may not be back yet)
        self._response_due: list[str | None] = []  # response ids whose calls were answered, awaiting response.create
        self.tool_choice: str | dict[str, Any] = "auto"  # the session's; set by the UI before answering

    def pending(self, turns: Iterable[Turn]) -> list[Turn]:
        """Function calls still waiting for an output, oldest first (still-streaming calls included)."""
        return [turn for turn in turns if turn.kind == "function_call" and turn.call_id and turn.output is None
                and turn.call_id not in self.answered and turn.status not in _DEAD]

    @staticmethod
    def ready(turn: Turn) -> bool:
        """The call's arguments are complete, so it can be answered."""
        return turn.status == "completed"

    def answer(self, turns: Iterable[Turn], active_response_id: str | None, call_id: str, output: str) -> list[dict[str, Any]]:
        """The events to send now for answering `call_id` (the output, and `response.create` if it is due)."""
        turns = list(turns)
        call = next((t for t in turns if t.kind == "function_call" and t.call_id == call_id), None)
        if call is None or call_id in self.answered:
            return []
        self.answered[call_id] = output
        if call.response_id not in self._response_due:
            self._response_due.append(call.response_id)
        return [output_item_event(call_id, output), *self.due(turns, active_response_id)]

    def due(self, turns: Iterable[Turn], active_response_id: str | None) -> list[dict[str, Any]]:
        """`response.create` once nothing is active and every call of an answered response has its output."""
        if active_response_id is not None or not self._response_due:
            return []
        waiting = {turn.response_id for turn in self.pending(turns)}
        if any(response_id in waiting for response_id in self._response_due):
            return []
        self._response_due.clear()
        return [follow_up_response(self.tool_choice)]

    def auto_answers(self, turns: Iterable[Turn], active_response_id: str | None,
                     library: ToolLibrary) -> list[dict[str, Any]]:
        """Answer every complete pending call whose tool has auto-answer on (and an answer to give)."""
        turns = list(turns)
        events: list[dict[str, Any]] = []
        for turn in self.pending(turns):
            tool = library.get(turn.name)
            if tool is None or not tool.auto_answer or not self.ready(turn):
                continue
            output = tool.answer(turn.arguments or "")
            if output is not None:
                events += self.answer(turns, active_response_id, turn.call_id or "", output)
        return events + self.due(turns, active_response_id)
