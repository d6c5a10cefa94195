"""The reducer's state grows with turns, not with events: a thousand deltas cost what ten do."""

from __future__ import annotations

import base64
import gc
import sys

from rt_tui.core.conversation import Conversation, reduce
from rt_tui.core.events import Event

AUDIO = base64.b64encode(bytes(4800)).decode()


def deep_size(root: object) -> int:
    seen: set[int] = set()
    stack, size = [root], 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        size += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return size


def session(turns: int, deltas: int) -> Conversation:
    state = Conversation.empty()
    for turn in range(turns):
        item, resp = f"item_{turn}", f"resp_{turn}"
        events = [Event("server", "response.created", {"type": "response.created", "response": {"id": resp}}, turn)]
        for i in range(deltas):
            for type_, delta in (("response.output_audio.delta", AUDIO), ("response.output_audio_transcript.delta", "")):
                events.append(Event("server", type_, {"type": type_, "item_id": item, "response_id": resp, "delta": delta},
                                    turn + i / 1000))
        events.append(Event("server", "response.output_audio_transcript.done",
                            {"type": "response.output_audio_transcript.done", "item_id": item, "response_id": resp,
                             "transcript": "the same answer every time"}, turn + 0.9))
        events.append(Event("server", "response.done", {"type": "response.done", "response": {"id": resp, "status": "completed"}},
                            turn + 0.9))
        for event in events:
            state = reduce(state, event)
    return state


def test_state_size_does_not_grow_with_deltas() -> None:
    few, many = session(20, 10), session(20, 1000)
    assert len(few.turns) == len(many.turns) == 20 and many.revision > 10 * few.revision
    assert many.turns[-1].audio_ms == 100 * few.turns[-1].audio_ms
    assert deep_size(many) <= deep_size(few) * 1.05
