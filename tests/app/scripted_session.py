"""A fixed, GA-shaped event sequence (as the worker reports them) for deterministic snapshots."""

from __future__ import annotations

from rt_tui.core.events import Event

SESSION = {
    "type": "realtime", "object": "realtime.session", "id": "sess_snapshot0000000000", "model": "gpt-realtime",
    "output_modalities": ["audio"], "instructions": "You are a concise, friendly voice assistant.",
    "tool_choice": "auto", "tools": [], "max_output_tokens": "inf", "tracing": None, "truncation": "auto",
    "prompt": None, "expires_at": 1_900_000_000, "include": None,
    "audio": {
        "input": {"format": {"type": "audio/pcm", "rate": 24000}, "transcription": None, "noise_reduction": None,
                  "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                     "silence_duration_ms": 200, "idle_timeout_ms": None,
                                     "create_response": True, "interrupt_response": True}},
        "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.0},
    },
}

USER_ITEM = {"id": "item_user0001", "type": "message", "role": "user", "status": "completed", "object": "realtime.item",
             "content": [{"type": "input_text", "text": "What can you do?"}]}
REPLY = "I can chat with you, answer questions, and follow the instructions on the left."
REPLY_DELTAS = [REPLY[i:i + 12] for i in range(0, len(REPLY), 12)]
C = {"response_id": "resp_0001", "item_id": "item_asst0001", "output_index": 0, "content_index": 0}
USAGE = {"total_tokens": 131, "input_tokens": 112, "output_tokens": 19,
         "input_token_details": {"text_tokens": 112, "audio_tokens": 0, "cached_tokens": 0},
         "output_token_details": {"text_tokens": 19, "audio_tokens": 0}}


def _assistant_item(status: str, text: str | None) -> dict:
    content = [] if text is None else [{"type": "output_text", "text": text}]
    return {"id": "item_asst0001", "type": "message", "role": "assistant", "status": status,
            "object": "realtime.item", "content": content}


def idle_events() -> list[Event]:
    return [Event("server", "session.created", {"type": "session.created", "event_id": "event_1", "session": SESSION},
                  0.012, "session.created")]


def conversation_events(finish: bool) -> list[Event]:
    """A text turn: user message, the reply streaming (and finished when `finish`)."""
    t = 1.0
    events = idle_events() + [
        Event("client", "conversation.item.create", {"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": "What can you do?"}]}}, t),
        Event("client", "response.create", {"type": "response.create"}, t),
        Event("server", "conversation.item.added", {"type": "conversation.item.added", "event_id": "event_2",
                                                    "previous_item_id": None, "item": USER_ITEM}, t + 0.010),
        Event("server", "conversation.item.done", {"type": "conversation.item.done", "event_id": "event_3",
                                                   "previous_item_id": None, "item": USER_ITEM}, t + 0.011),
        Event("server", "response.created", {"type": "response.created", "event_id": "event_4", "response": {
            "id": "resp_0001", "object": "realtime.response", "status": "in_progress", "output": [],
            "usage": None}}, t + 0.020),
        Event("server", "response.output_item.added", {"type": "response.output_item.added", "event_id": "event_5",
                                                       "response_id": "resp_0001", "output_index": 0,
                                                       "item": _assistant_item("in_progress", None)}, t + 0.300),
        Event("server", "conversation.item.added", {"type": "conversation.item.added", "event_id": "event_6",
                                                    "previous_item_id": "item_user0001",
                                                    "item": _assistant_item("in_progress", None)}, t + 0.300),
        Event("server", "response.content_part.added", {"type": "response.content_part.added", "event_id": "event_7",
                                                        **C, "part": {"type": "text", "text": ""}}, t + 0.301),
    ]
    shown = REPLY_DELTAS if finish else REPLY_DELTAS[:4]
    for i, delta in enumerate(shown):
        events.append(Event("server", "response.output_text.delta", {
            "type": "response.output_text.delta", "event_id": f"event_d{i}", **C, "delta": delta}, t + 0.312 + i * 0.02))
    if not finish:
        return events
    t2 = t + 0.5
    item = _assistant_item("completed", REPLY)
    events += [
        Event("server", "response.output_text.done", {"type": "response.output_text.done", "event_id": "event_8",
                                                      **C, "text": REPLY}, t2),
        Event("server", "response.content_part.done", {"type": "response.content_part.done", "event_id": "event_9",
                                                       **C, "part": {"type": "text", "text": REPLY}}, t2),
        Event("server", "conversation.item.done", {"type": "conversation.item.done", "event_id": "event_10",
                                                   "previous_item_id": "item_user0001", "item": item}, t2),
        Event("server", "response.output_item.done", {"type": "response.output_item.done", "event_id": "event_11",
                                                      "response_id": "resp_0001", "output_index": 0, "item": item}, t2),
        Event("server", "response.done", {"type": "response.done", "event_id": "event_12", "response": {
            "id": "resp_0001", "object": "realtime.response", "status": "completed", "status_details": None,
            "output": [item], "usage": USAGE}}, t2 + 0.001),
    ]
    return events
