"""The conversation as a pure reducer over GA-normalised `Event`s: `reduce(state, event) -> state`.

No I/O, no clocks: times come from `Event.t`, so replaying a recording rebuilds the same state.
Events may arrive out of order (a delta before its item, a transcription after `response.done`);
any event naming an unknown item creates a placeholder turn that later events fill in. Unknown
event types leave the state untouched (the same object is returned).

Cost per delta: one new `Turn` (its text grows by the delta) and a new tuple of turn references;
no other turn's text is copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Literal

from rt_tui.core.events import Event

Role = Literal["user", "assistant", "system", "tool", "error"]
Kind = Literal["message", "function_call", "function_call_output", "error"]
Status = Literal["in_progress", "completed", "interrupted", "cancelled", "incomplete", "failed"]

PCM16_BYTES_PER_MS = 48.0  # 24 kHz × 2 bytes
G711_BYTES_PER_MS = 8.0
_FINAL = ("completed", "interrupted", "cancelled", "failed")
_TEXT_PARTS = {"input_text": "text", "output_text": "text", "text": "text",
               "input_audio": "transcript", "output_audio": "transcript", "audio": "transcript"}
_AUDIO_PARTS = ("input_audio", "output_audio", "audio")


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of a response (or their sum)."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_text_tokens: int = 0
    input_audio_tokens: int = 0
    input_cached_tokens: int = 0
    output_text_tokens: int = 0
    output_audio_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(getattr(self, name) + getattr(other, name) for name in self.__slots__))

    @classmethod
    def from_payload(cls, usage: dict[str, Any]) -> Usage:
        details_in = usage.get("input_token_details") or {}
        details_out = usage.get("output_token_details") or {}
        return cls(
            input_tokens=_int(usage.get("input_tokens")),
            output_tokens=_int(usage.get("output_tokens")),
            total_tokens=_int(usage.get("total_tokens")),
            input_text_tokens=_int(details_in.get("text_tokens")),
            input_audio_tokens=_int(details_in.get("audio_tokens")),
            input_cached_tokens=_int(details_in.get("cached_tokens")),
            output_text_tokens=_int(details_out.get("text_tokens")),
            output_audio_tokens=_int(details_out.get("audio_tokens")),
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """One conversation item as shown: a message, a function call or its output, or a server error.

    `usage` is the usage of the whole response that produced the turn. `full_text` is the whole
    transcript when `text` was cut to what the user heard (after `conversation.item.truncated`).
    """

    item_id: str
    role: Role = "assistant"
    kind: Kind = "message"
    text: str = ""
    has_audio: bool = False
    audio_ms: float = 0.0
    heard_ms: float | None = None
    status: Status = "in_progress"
    response_id: str | None = None
    usage: Usage | None = None
    latency_ms: float | None = None
    name: str | None = None
    call_id: str | None = None
    arguments: str = ""
    output: str | None = None
    error: str | None = None
    full_text: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    turns: tuple[Turn, ...] = ()
    usage_totals: Usage = Usage()
    active_response_id: str | None = None
    revision: int = 0
    # bookkeeping the screens do not need; part of equality so replays compare exactly
    index: dict[str, int] = field(default_factory=dict, repr=False)
    input_end_t: float | None = field(default=None, repr=False)
    input_end_item: str | None = field(default=None, repr=False)
    response_input_end: dict[str, float | None] = field(default_factory=dict, repr=False)
    finished_responses: frozenset[str] = field(default=frozenset(), repr=False)
    output_bytes_per_ms: float = field(default=PCM16_BYTES_PER_MS, repr=False)

    @classmethod
    def empty(cls) -> Conversation:
        return cls()

    def turn(self, item_id: str) -> Turn | None:
        position = self.index.get(item_id)
        return None if position is None else self.turns[position]


def reduce(state: Conversation, event: Event) -> Conversation:
    """The state after `event`. Unknown or irrelevant events return `state` itself."""
    handlers = _SERVER if event.direction == "server" else _CLIENT
    handler = handlers.get(event.type)
    if handler is None:
        return state
    payload = event.payload if isinstance(event.payload, dict) else {}
    try:
        new = handler(state, payload, event.t)
    except (AttributeError, TypeError, KeyError, ValueError):
        return state  # a malformed event must never take the screen down
    if new is state:
        return state
    return replace(new, revision=state.revision + 1)


# ---------------------------------------------------------------------------------------- turns


def _put(state: Conversation, turn: Turn, after: str | None = None) -> Conversation:
    """Replace the turn with the same id, or insert a new one after `after` (else at the end)."""
    position = state.index.get(turn.item_id)
    if position is not None:
        turns = list(state.turns)
        turns[position] = turn
        return replace(state, turns=tuple(turns))
    if after is None or after not in state.index:
        index = dict(state.index)
        index[turn.item_id] = len(state.turns)
        return replace(state, turns=state.turns + (turn,), index=index)
    position = state.index[after] + 1
    while position < len(state.turns) and state.turns[position].kind == "error":
        position += 1  # errors stay where they happened
    turns = state.turns[:position] + (turn,) + state.turns[position:]
    return replace(state, turns=turns, index=_index_of(turns))


def _index_of(turns: tuple[Turn, ...]) -> dict[str, int]:
    return {turn.item_id: position for position, turn in enumerate(turns)}


def _turn_for(state: Conversation, item_id: str, **placeholder: Any) -> Turn:
    existing = state.turn(item_id)
    return existing if existing is not None else Turn(item_id=item_id, **placeholder)


def _with_text(turn: Turn, text: str) -> Turn:
    if turn.heard_ms is None:
        return replace(turn, text=text)
    return replace(turn, full_text=text, text=_heard_part(text, turn.heard_ms, turn.audio_ms))


def _heard_part(text: str, heard_ms: float, audio_ms: float) -> str:
    """Roughly what was heard: the transcript's share heard_ms / audio_ms, ending on a word boundary."""
    if audio_ms <= 0:
        return "" if heard_ms <= 0 else text
    share = min(1.0, max(0.0, heard_ms / audio_ms))
    cut = round(len(text) * share)
    if cut >= len(text):
        return text
    if cut > 0 and not text[cut].isspace() and not text[cut - 1].isspace():
        space = text.rfind(" ", 0, cut)
        cut = space if space > 0 else cut
    return text[:cut].rstrip()


def _item_status(turn: Turn, item_status: Any) -> Status:
    if turn.status in _FINAL:
        return turn.status
    if item_status == "completed":
        return "completed"
    if item_status == "incomplete":
        return "incomplete"
    return turn.status


def _merge_item(state: Conversation, item: dict[str, Any], response_id: str | None = None,
                after: str | None = None) -> Conversation:
    item_id = item.get("id")
    item_type = item.get("type", "message")
    if not isinstance(item_id, str) or item_type not in ("message", "function_call", "function_call_output"):
        return state
    if item_type == "message":
        role = _str(item.get("role")) or "assistant"
    else:
        role = "assistant" if item_type == "function_call" else "tool"
    turn = _turn_for(state, item_id)
    turn = replace(turn, role=role, kind=item_type, response_id=turn.response_id or response_id,
                   status=_item_status(turn, item.get("status")))
    if item_type == "message":
        parts = [part for part in item.get("content") or [] if isinstance(part, dict)]
        text = "".join(part.get(_TEXT_PARTS.get(part.get("type"), "text")) or "" for part in parts)
        if text and text != (turn.full_text if turn.heard_ms is not None else turn.text):
            turn = _with_text(turn, text)
        if any(part.get("type") in _AUDIO_PARTS for part in parts) and not turn.has_audio:
            turn = replace(turn, has_audio=True)
        if role != "assistant" and turn.status == "in_progress" and item.get("status") is None:
            turn = replace(turn, status="completed")  # client-created items may come without a status
    elif item_type == "function_call":
        turn = replace(turn, name=_str(item.get("name")) or turn.name,
                       call_id=_str(item.get("call_id")) or turn.call_id,
                       arguments=_str(item.get("arguments")) or turn.arguments)
        linked = _call_output(state, turn.call_id)
        if linked is not None and turn.output is None:
            turn = replace(turn, output=linked)
    else:
        output = item.get("output", turn.output)
        turn = replace(turn, call_id=_str(item.get("call_id")) or turn.call_id, output=_str(output),
                       status=turn.status if turn.status in _FINAL else "completed")
    state = _put(state, turn, after)
    if item_type == "function_call_output" and turn.call_id:
        state = _link_output(state, turn.call_id, turn.output)
    return state


def _str(value: Any) -> str | None:
    """A text field of an event, or None when it is not text (a replayed file can hold anything)."""
    return value if isinstance(value, str) else None


def _call_output(state: Conversation, call_id: str | None) -> str | None:
    for turn in state.turns:
        if call_id and turn.kind == "function_call_output" and turn.call_id == call_id:
            return turn.output
    return None


def _link_output(state: Conversation, call_id: str, output: str | None) -> Conversation:
    for turn in state.turns:
        if turn.kind == "function_call" and turn.call_id == call_id and turn.output != output:
            state = _put(state, replace(turn, output=output))
    return state


# ---------------------------------------------------------------------------------------- handlers


def _session(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    audio_format = ((((payload.get("session") or {}).get("audio") or {}).get("output") or {}).get("format")) or {}
    kind = audio_format.get("type", "audio/pcm")
    bytes_per_ms = G711_BYTES_PER_MS if kind in ("audio/pcmu", "audio/pcma") else (
        _int(audio_format.get("rate") or 24000) * 2 / 1000)
    new = state
    if bytes_per_ms != state.output_bytes_per_ms:
        new = replace(new, output_bytes_per_ms=bytes_per_ms)
    return new


def _session_created(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    new = _session(state, payload, t)
    if new.active_response_id is not None or new.input_end_t is not None:
        new = replace(new, active_response_id=None, input_end_t=None, input_end_item=None)  # a new socket
    return new


def _item_added(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    return _merge_item(state, payload["item"], after=payload.get("previous_item_id"))


def _output_item(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    return _merge_item(state, payload["item"], response_id=payload.get("response_id"))


def _content_part_added(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    part = payload.get("part") or {}
    if part.get("type") not in _AUDIO_PARTS:
        return state
    turn = _turn_for(state, payload["item_id"], response_id=payload.get("response_id"))
    return state if turn.has_audio else _put(state, replace(turn, has_audio=True))


def _assistant_delta(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    turn = _first_delta(state, _turn_for(state, payload["item_id"], response_id=payload.get("response_id")), t)
    delta = payload.get("delta") or ""
    if turn.heard_ms is None:
        turn = replace(turn, text=turn.text + delta)
    else:
        turn = _with_text(turn, (turn.full_text or "") + delta)
    return _put(state, turn)


def _assistant_text_done(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    text = payload.get("text", payload.get("transcript"))
    turn = _turn_for(state, payload["item_id"], response_id=payload.get("response_id"))
    if not isinstance(text, str):
        return state
    return _put(state, _with_text(turn, text))


def _audio_delta(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    turn = _first_delta(state, _turn_for(state, payload["item_id"], response_id=payload.get("response_id")), t)
    added_ms = _base64_bytes(payload.get("delta") or "") / state.output_bytes_per_ms
    return _put(state, replace(turn, has_audio=True, audio_ms=turn.audio_ms + added_ms))


def _arguments_delta(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    turn = _turn_for(state, payload["item_id"], kind="function_call", response_id=payload.get("response_id"))
    turn = _first_delta(state, turn, t)
    turn = replace(turn, arguments=turn.arguments + (payload.get("delta") or ""),
                   call_id=turn.call_id or _str(payload.get("call_id")))
    return _put(state, turn)


def _arguments_done(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    turn = _turn_for(state, payload["item_id"], kind="function_call", response_id=payload.get("response_id"))
    turn = replace(turn, kind="function_call", arguments=_str(payload.get("arguments")) or turn.arguments,
                   name=_str(payload.get("name")) or turn.name, call_id=turn.call_id or _str(payload.get("call_id")))
    return _put(state, turn)


def _first_delta(state: Conversation, turn: Turn, t: float) -> Turn:
    if turn.latency_ms is not None or turn.response_id is None:
        return turn
    start = state.response_input_end.get(turn.response_id)
    if start is None:
        return turn
    return replace(turn, latency_ms=max(0.0, (t - start) * 1000.0))


def _transcription_delta(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    turn = _turn_for(state, payload["item_id"], role="user", has_audio=True)
    return _put(state, replace(turn, text=turn.text + (payload.get("delta") or "")))


def _transcription_completed(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    turn = _turn_for(state, payload["item_id"], role="user", has_audio=True)
    return _put(state, replace(turn, text=_str(payload.get("transcript")) or ""))


def _transcription_failed(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    turn = _turn_for(state, payload["item_id"], role="user", has_audio=True)
    message = _str((payload.get("error") or {}).get("message")) or "unknown error"
    return _put(state, replace(turn, error=f"transcription failed: {message}"))


def _truncated(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    turn = state.turn(payload["item_id"])
    if turn is None:
        return state
    heard = float(payload.get("audio_end_ms") or 0)
    whole = turn.full_text if turn.full_text is not None else turn.text
    turn = replace(turn, heard_ms=heard, status="interrupted")
    return _put(state, _with_text(turn, whole))


def _deleted(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    if payload.get("item_id") not in state.index:
        return state
    turns = tuple(turn for turn in state.turns if turn.item_id != payload["item_id"])
    return replace(state, turns=turns, index=_index_of(turns))


def _input_ended(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    """The user's input ended now (speech stopped, idle timeout, an item was created)."""
    return replace(state, input_end_t=t, input_end_item=payload.get("item_id"))


def _committed(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    if state.input_end_t is not None and state.input_end_item == payload.get("item_id"):
        return state  # the commit that follows speech_stopped: the input ended at speech_stopped
    return _input_ended(state, payload, t)


def _response_requested(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    # right after an item.create the input ended with that item; alone, the request is the end
    return state if state.input_end_t is not None else replace(state, input_end_t=t, input_end_item=None)


def _response_created(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    response_id = payload["response"]["id"]
    starts = dict(state.response_input_end)
    starts[response_id] = state.input_end_t
    return replace(state, active_response_id=response_id, response_input_end=starts, input_end_t=None,
                   input_end_item=None)


def _response_done(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    response = payload["response"]
    response_id = response["id"]
    for item in response.get("output") or []:
        if isinstance(item, dict):
            state = _merge_item(state, item, response_id=response_id)
    details = response.get("status_details") or {}
    status = _response_status(response.get("status"), details)
    error = _status_error(details)
    usage = Usage.from_payload(response["usage"]) if response.get("usage") else None
    touched = False
    for turn in state.turns:
        if turn.response_id != response_id:
            continue
        touched = True
        new_status = turn.status
        if status is not None and turn.status not in ("completed", "interrupted"):
            new_status = status
        if status == "failed" and turn.status == "completed":
            new_status = "failed"
        updated = replace(turn, status=new_status, usage=usage or turn.usage, error=error or turn.error)
        if updated != turn:
            state = _put(state, updated)
    if status == "failed" and not touched:
        state = _put(state, Turn(item_id=f"error:{response_id}", role="error", kind="error", status="failed",
                                 response_id=response_id, text=error or "response failed", error=error))
    if usage is not None and response_id not in state.finished_responses:
        state = replace(state, usage_totals=state.usage_totals + usage,
                        finished_responses=state.finished_responses | {response_id})
    if state.active_response_id == response_id:
        state = replace(state, active_response_id=None)
    return state


def _response_status(status: Any, details: dict[str, Any]) -> Status | None:
    if status == "cancelled":
        return "interrupted" if details.get("reason") == "turn_detected" else "cancelled"
    if status in ("completed", "incomplete", "failed"):
        return status
    return None


def _status_error(details: dict[str, Any]) -> str | None:
    error = details.get("error")
    if not isinstance(error, dict):
        return None
    message = _str(error.get("message")) or _str(error.get("type")) or "error"
    return f"{message} ({error['code']})" if error.get("code") else message


def _server_error(state: Conversation, payload: dict[str, Any], t: float) -> Conversation:
    error = payload.get("error") or {}
    message = _str(error.get("message")) or "unknown error"
    text = f"{message} ({error['code']})" if error.get("code") else message
    base = f"error:{payload.get('event_id') or state.revision}"
    item_id, n = base, 1
    while item_id in state.index:
        n += 1
        item_id = f"{base}#{n}"
    return _put(state, Turn(item_id=item_id, role="error", kind="error", text=text, error=text, status="failed"))


Handler = Callable[[Conversation, dict[str, Any], float], Conversation]

_SERVER: dict[str, Handler] = {
    "session.created": _session_created,
    "session.updated": _session,
    "conversation.item.added": _item_added,
    "conversation.item.created": _item_added,  # legacy GA union member
    "conversation.item.done": _item_added,
    "conversation.item.retrieved": _item_added,
    "conversation.item.truncated": _truncated,
    "conversation.item.deleted": _deleted,
    "conversation.item.input_audio_transcription.delta": _transcription_delta,
    "conversation.item.input_audio_transcription.completed": _transcription_completed,
    "conversation.item.input_audio_transcription.failed": _transcription_failed,
    "input_audio_buffer.speech_stopped": _input_ended,
    "input_audio_buffer.committed": _committed,
    "input_audio_buffer.timeout_triggered": _input_ended,
    "response.created": _response_created,
    "response.done": _response_done,
    "response.output_item.added": _output_item,
    "response.output_item.done": _output_item,
    "response.content_part.added": _content_part_added,
    "response.output_text.delta": _assistant_delta,
    "response.output_text.done": _assistant_text_done,
    "response.output_audio_transcript.delta": _assistant_delta,
    "response.output_audio_transcript.done": _assistant_text_done,
    "response.output_audio.delta": _audio_delta,
    "response.function_call_arguments.delta": _arguments_delta,
    "response.function_call_arguments.done": _arguments_done,
    "error": _server_error,
}
_CLIENT: dict[str, Handler] = {
    "conversation.item.create": _input_ended,
    "response.create": _response_requested,
}


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) else 0


def _base64_bytes(data: str) -> int:
    return len(data) * 3 // 4 - data[-2:].count("=") if data else 0
