from __future__ import annotations

import base64

import pytest

from rt_tui.core.conversation import Conversation, Turn, Usage, reduce
from rt_tui.core.dialect import normalize_server_event
from rt_tui.core.events import Event

USAGE = {
    "total_tokens": 60,
    "input_tokens": 20,
    "output_tokens": 40,
    "input_token_details": {"text_tokens": 12, "audio_tokens": 8, "cached_tokens": 4},
    "output_token_details": {"text_tokens": 10, "audio_tokens": 30},
}
PCM_100MS = base64.b64encode(b"\x01\x00" * 2400).decode()  # 4 800 B = 100 ms of pcm16 24 kHz


def s(kind: str, t: float = 0.0, **payload) -> Event:
    return Event("server", kind, {"type": kind, "event_id": f"event_{kind}_{t}", **payload}, t)


def c(kind: str, t: float = 0.0, **payload) -> Event:
    return Event("client", kind, {"type": kind, **payload}, t)


def run(events: list[Event], state: Conversation | None = None) -> Conversation:
    state = state or Conversation.empty()
    for event in events:
        state = reduce(state, event)
    return state


def user_text_item(item_id: str = "item_U1", text: str = "Hello") -> dict:
    return {"id": item_id, "object": "realtime.item", "type": "message", "status": "completed", "role": "user",
            "content": [{"type": "input_text", "text": text}]}


def user_audio_item(item_id: str = "item_U1") -> dict:
    return {"id": item_id, "object": "realtime.item", "type": "message", "status": "completed", "role": "user",
            "content": [{"type": "input_audio", "transcript": None}]}


def assistant_item(status: str = "in_progress", content: list | None = None, item_id: str = "item_A1") -> dict:
    return {"id": item_id, "object": "realtime.item", "type": "message", "status": status, "role": "assistant",
            "content": content or []}


def response(status: str = "in_progress", output: list | None = None, usage: dict | None = None,
             details: dict | None = None, response_id: str = "resp_1") -> dict:
    return {"id": response_id, "object": "realtime.response", "status": status, "status_details": details,
            "output": output or [], "usage": usage, "conversation_id": "conv_1", "output_modalities": ["audio"]}


def ids(item_id: str = "item_A1", response_id: str = "resp_1") -> dict:
    return {"response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0}


def text_turn(t0: float = 10.0) -> list[Event]:
    done_item = assistant_item("completed", [{"type": "output_text", "text": "Hi there!"}])
    return [
        c("conversation.item.create", t0, item={"type": "message", "role": "user",
                                                 "content": [{"type": "input_text", "text": "Hello"}]}),
        c("response.create", t0 + 0.001),
        s("conversation.item.added", t0 + 0.05, previous_item_id=None, item=user_text_item()),
        s("conversation.item.done", t0 + 0.05, previous_item_id=None, item=user_text_item()),
        s("response.created", t0 + 0.06, response=response()),
        s("response.output_item.added", t0 + 0.07, response_id="resp_1", output_index=0, item=assistant_item()),
        s("conversation.item.added", t0 + 0.07, previous_item_id="item_U1", item=assistant_item()),
        s("response.content_part.added", t0 + 0.08, **ids(), part={"type": "text", "text": ""}),
        s("response.output_text.delta", t0 + 0.25, **ids(), delta="Hi ", obfuscation="x"),
        s("response.output_text.delta", t0 + 0.26, **ids(), delta="there!"),
        s("response.output_text.done", t0 + 0.27, **ids(), text="Hi there!"),
        s("response.content_part.done", t0 + 0.27, **ids(), part={"type": "text", "text": "Hi there!"}),
        s("conversation.item.done", t0 + 0.28, previous_item_id="item_U1", item=done_item),
        s("response.output_item.done", t0 + 0.28, response_id="resp_1", output_index=0, item=done_item),
        s("response.done", t0 + 0.29, response=response("completed", [done_item], USAGE)),
        s("rate_limits.updated", t0 + 0.33, rate_limits=[{"name": "tokens", "limit": 1, "remaining": 1}]),
    ]


def audio_turn(transcript: str = "one two three four five six seven eight", chunks: int = 40) -> list[Event]:
    """A server-VAD voice turn: speech stops at t=1.0; the answer's first delta comes at t=1.45."""
    events = [
        s("input_audio_buffer.speech_started", 0.2, audio_start_ms=200, item_id="item_U1"),
        s("input_audio_buffer.speech_stopped", 1.0, audio_end_ms=1000, item_id="item_U1"),
        s("input_audio_buffer.committed", 1.02, previous_item_id=None, item_id="item_U1"),
        s("conversation.item.added", 1.03, previous_item_id=None, item=user_audio_item()),
        s("conversation.item.done", 1.03, previous_item_id=None, item=user_audio_item()),
        s("response.created", 1.05, response=response()),
        s("response.output_item.added", 1.1, response_id="resp_1", output_index=0, item=assistant_item()),
        s("conversation.item.added", 1.1, previous_item_id="item_U1", item=assistant_item()),
        s("response.content_part.added", 1.2, **ids(), part={"type": "audio", "transcript": ""}),
    ]
    words = transcript.split(" ")
    for i, word in enumerate(words):
        events.append(s("response.output_audio_transcript.delta", 1.45 + i * 0.01, **ids(),
                        delta=word if i == 0 else " " + word))
    for i in range(chunks):
        events.append(s("response.output_audio.delta", 1.5 + i * 0.01, **ids(), delta=PCM_100MS))
    return events


def finish_audio_turn(status: str = "completed", details: dict | None = None, transcript: str = "") -> list[Event]:
    item_status = "completed" if status == "completed" else "incomplete"
    item = assistant_item(item_status, [{"type": "output_audio", "transcript": transcript}])
    return [
        s("response.output_audio.done", 3.0, **ids()),
        s("response.output_audio_transcript.done", 3.0, **ids(), transcript=transcript),
        s("conversation.item.done", 3.01, previous_item_id="item_U1", item=item),
        s("response.output_item.done", 3.01, response_id="resp_1", output_index=0, item=item),
        s("response.done", 3.02, response=response(status, [item], USAGE, details)),
    ]


# ------------------------------------------------------------------------------------------ paths


def test_text_turn():
    state = run(text_turn())
    assert [turn.role for turn in state.turns] == ["user", "assistant"]
    user, answer = state.turns
    assert (user.text, user.status, user.kind, user.has_audio) == ("Hello", "completed", "message", False)
    assert (answer.text, answer.status, answer.response_id) == ("Hi there!", "completed", "resp_1")
    assert answer.latency_ms == pytest.approx(250, abs=0.5)  # from conversation.item.create at t=10.0
    assert answer.usage == Usage(20, 40, 60, 12, 8, 4, 10, 30)
    assert state.usage_totals == answer.usage
    assert state.active_response_id is None
    assert state.turn("item_A1") is answer and state.turn("missing") is None


def test_active_response_while_streaming():
    events = text_turn()
    state = run(events[:9])
    assert state.active_response_id == "resp_1"
    assert state.turn("item_A1").text == "Hi " and state.turn("item_A1").status == "in_progress"


def test_audio_turn_with_late_transcription():
    transcript = "one two three four five six seven eight"
    events = audio_turn(transcript) + finish_audio_turn(transcript=transcript) + [
        s("conversation.item.input_audio_transcription.delta", 3.5, item_id="item_U1", content_index=0,
          delta="What's "),
        s("conversation.item.input_audio_transcription.delta", 3.6, item_id="item_U1", content_index=0,
          delta="up"),
    ]
    state = run(events)
    user, answer = state.turns
    assert user.has_audio and user.text == "What's up" and user.status == "completed"
    assert answer.has_audio and answer.text == transcript
    assert answer.audio_ms == pytest.approx(4000)
    assert answer.latency_ms == pytest.approx(450)  # speech_stopped (1.0) → first transcript delta (1.45)
    done = reduce(state, s("conversation.item.input_audio_transcription.completed", 3.8, item_id="item_U1",
                           content_index=0, transcript="What's up?", usage={"type": "duration", "seconds": 1}))
    assert done.turn("item_U1").text == "What's up?"
    assert done.revision == state.revision + 1


def test_transcription_failure_is_kept_on_the_user_turn():
    state = run(audio_turn()[:5] + [s("conversation.item.input_audio_transcription.failed", 2.0,
                                      item_id="item_U1", content_index=0,
                                      error={"type": "server_error", "message": "Input transcription failed."})])
    assert state.turn("item_U1").error == "transcription failed: Input transcription failed."


def test_function_call_with_streamed_arguments_and_linked_output():
    call = {"id": "item_F1", "object": "realtime.item", "type": "function_call", "status": "in_progress",
            "call_id": "call_1", "name": "get_weather", "arguments": ""}
    call_done = call | {"status": "completed", "arguments": '{"city":"Oslo"}'}
    output_item = {"id": "item_O1", "object": "realtime.item", "type": "function_call_output", "call_id": "call_1",
                   "output": '{"temp":3}', "status": "completed"}
    fc = {"response_id": "resp_1", "item_id": "item_F1", "output_index": 0, "call_id": "call_1"}
    state = run(text_turn()[:5] + [
        s("response.output_item.added", 10.1, response_id="resp_1", output_index=0, item=call),
        s("conversation.item.added", 10.1, previous_item_id="item_U1", item=call),
        s("response.function_call_arguments.delta", 10.3, **fc, delta='{"city":'),
        s("response.function_call_arguments.delta", 10.31, **fc, delta='"Oslo"}'),
    ])
    streaming = state.turn("item_F1")
    assert (streaming.kind, streaming.role, streaming.name) == ("function_call", "assistant", "get_weather")
    assert streaming.arguments == '{"city":"Oslo"}' and streaming.latency_ms == pytest.approx(300)
    state = run([
        s("response.function_call_arguments.done", 10.32, **fc, name="get_weather", arguments='{"city":"Oslo"}'),
        s("conversation.item.done", 10.33, previous_item_id="item_U1", item=call_done),
        s("response.output_item.done", 10.33, response_id="resp_1", output_index=0, item=call_done),
        s("response.done", 10.34, response=response("completed", [call_done], USAGE)),
        c("conversation.item.create", 11.0, item={"type": "function_call_output", "call_id": "call_1",
                                                   "output": '{"temp":3}'}),
        s("conversation.item.added", 11.05, previous_item_id="item_F1", item=output_item),
    ], state)
    call_turn, output_turn = state.turn("item_F1"), state.turn("item_O1")
    assert call_turn.status == "completed" and call_turn.output == '{"temp":3}'
    assert (output_turn.kind, output_turn.role, output_turn.call_id) == ("function_call_output", "tool", "call_1")
    assert [turn.item_id for turn in state.turns] == ["item_U1", "item_F1", "item_O1"]
    assert state.input_end_t == 11.0  # the output's item.create starts the next latency measurement


def test_beta_function_call_done_without_name_keeps_the_items_name():
    call = {"id": "item_F1", "type": "function_call", "call_id": "call_1", "name": "lookup", "arguments": ""}
    state = run([
        s("response.output_item.added", 1, response_id="resp_1", output_index=0, item=call),
        s("response.function_call_arguments.done", 2, response_id="resp_1", item_id="item_F1", output_index=0,
          call_id="call_1", arguments="{}"),
    ])
    assert (state.turn("item_F1").name, state.turn("item_F1").arguments) == ("lookup", "{}")


@pytest.mark.parametrize(
    ("status", "details", "expected"),
    [
        ("completed", None, "completed"),
        ("cancelled", {"type": "cancelled", "reason": "turn_detected"}, "interrupted"),
        ("cancelled", {"type": "cancelled", "reason": "client_cancelled"}, "cancelled"),
        ("incomplete", {"type": "incomplete", "reason": "max_output_tokens"}, "incomplete"),
        ("failed", {"type": "failed", "error": {"type": "server_error", "code": "oops", "message": "Boom"}},
         "failed"),
    ],
)
def test_response_statuses(status, details, expected):
    state = run(audio_turn() + finish_audio_turn(status, details, transcript="one two"))
    answer = state.turn("item_A1")
    assert answer.status == expected
    if status == "failed":
        assert answer.error == "Boom (oops)"
    assert state.active_response_id is None


def test_failed_response_without_items_becomes_an_error_turn():
    state = run([
        s("response.created", 1, response=response()),
        s("response.done", 2, response=response("failed", details={
            "type": "failed", "error": {"type": "server_error", "message": "The server had an error"}})),
    ])
    [turn] = state.turns
    assert (turn.kind, turn.role, turn.status) == ("error", "error", "failed")
    assert turn.text == "The server had an error"


def test_cancel_before_any_output_changes_no_turn():
    state = run(text_turn()[:5] + [
        c("response.cancel", 10.07),
        s("response.done", 10.08, response=response("cancelled", details={"type": "cancelled",
                                                                          "reason": "client_cancelled"})),
    ])
    assert [turn.item_id for turn in state.turns] == ["item_U1"]
    assert state.active_response_id is None


def test_truncation_keeps_what_was_heard_and_marks_interrupted():
    transcript = "one two three four five six seven eight"
    state = run(audio_turn(transcript, chunks=40))  # 4 000 ms of audio received
    state = run([
        s("input_audio_buffer.speech_started", 2.0, audio_start_ms=1800, item_id="item_U2"),
        s("conversation.item.truncated", 2.1, item_id="item_A1", content_index=0, audio_end_ms=2000),
    ], state)
    answer = state.turn("item_A1")
    assert answer.status == "interrupted" and answer.heard_ms == 2000
    assert answer.full_text == transcript
    assert answer.text == "one two three four"  # half of the audio → about half of the words, whole words only
    # the cancelled response and the final item arrive afterwards: still interrupted, still cut
    state = run(finish_audio_turn("cancelled", {"type": "cancelled", "reason": "turn_detected"},
                                  transcript=transcript), state)
    answer = state.turn("item_A1")
    assert answer.status == "interrupted" and answer.text == "one two three four"


def test_truncation_after_response_done_even_when_client_cancelled():
    state = run(audio_turn("alpha beta gamma delta") + finish_audio_turn(
        "cancelled", {"type": "cancelled", "reason": "client_cancelled"}, transcript="alpha beta gamma delta"))
    assert state.turn("item_A1").status == "cancelled"
    state = reduce(state, s("conversation.item.truncated", 4, item_id="item_A1", content_index=0, audio_end_ms=0))
    assert state.turn("item_A1").text == "" and state.turn("item_A1").status == "interrupted"


def test_deleted_items_disappear():
    state = run(text_turn())
    state = reduce(state, s("conversation.item.deleted", 20, item_id="item_U1"))
    assert [turn.item_id for turn in state.turns] == ["item_A1"]
    assert state.turn("item_A1").text == "Hi there!" and state.turn("item_U1") is None
    assert reduce(state, s("conversation.item.deleted", 21, item_id="item_U1")) is state


def test_server_errors_become_error_turns():
    error = {"type": "invalid_request_error", "code": "conversation_already_has_active_response",
             "message": "Conversation already has an active response in progress: resp_1.", "param": None,
             "event_id": None}
    state = run(text_turn()[:6] + [s("error", 10.1, error=error), s("error", 10.2, error=error | {"code": None})])
    errors = [turn for turn in state.turns if turn.kind == "error"]
    assert len(errors) == 2
    assert errors[0].role == "error"
    assert errors[0].text == error["message"] + " (conversation_already_has_active_response)"
    assert errors[1].text == error["message"]
    assert errors[0].item_id != errors[1].item_id


def test_usage_totals_add_up_once_per_response():
    first = run(text_turn())
    again = reduce(first, text_turn()[-2])  # a duplicated response.done
    assert again.usage_totals == first.usage_totals
    second_done = s("response.done", 30, response=response("completed", [], USAGE, response_id="resp_2"))
    state = reduce(first, second_done)
    assert state.usage_totals.output_tokens == 80 and state.usage_totals.output_audio_tokens == 60


def test_g711_output_counts_8_bytes_per_ms():
    session = {"type": "realtime", "audio": {"output": {"format": {"type": "audio/pcmu"}}}}
    state = run([s("session.updated", 0, session=session)] + audio_turn(chunks=1))
    assert state.turn("item_A1").audio_ms == pytest.approx(600)  # 4 800 B of μ-law = 600 ms


def test_new_session_forgets_the_running_response():
    state = run(text_turn()[:6])
    assert state.active_response_id == "resp_1"
    state = reduce(state, s("session.created", 50, session={"type": "realtime"}))
    assert state.active_response_id is None
    assert len(state.turns) == 2  # history is the UI's to keep or clear


# ------------------------------------------------------------------------------ order and tolerance


def test_delta_before_item_added():
    events = text_turn()
    reordered = events[:5] + [events[8]] + events[5:8] + events[9:]
    state = run(reordered)
    assert [turn.item_id for turn in state.turns] == ["item_U1", "item_A1"]
    answer = state.turn("item_A1")
    assert (answer.role, answer.text, answer.status) == ("assistant", "Hi there!", "completed")
    assert answer.latency_ms == pytest.approx(250, abs=0.5)


def test_transcription_completed_before_the_item_is_added():
    completed = s("conversation.item.input_audio_transcription.completed", 0.9, item_id="item_U1",
                  content_index=0, transcript="early words", usage={"type": "duration", "seconds": 1})
    state = run([completed] + audio_turn())
    user = state.turn("item_U1")
    assert (user.role, user.text, user.has_audio, user.status) == ("user", "early words", True, "completed")
    assert state.turns[0] is user


def test_previous_item_id_places_an_inserted_item():
    state = run(text_turn())
    inserted = user_text_item("item_X", "inserted")
    state = reduce(state, s("conversation.item.added", 30, previous_item_id="item_U1", item=inserted))
    assert [turn.item_id for turn in state.turns] == ["item_U1", "item_X", "item_A1"]
    assert state.turn("item_A1").text == "Hi there!"


def test_unknown_and_irrelevant_events_return_the_same_state():
    state = run(text_turn())
    for event in (
        s("response.future_feature.delta", 40, delta="x"),
        s("rate_limits.updated", 40, rate_limits=[]),
        c("input_audio_buffer.append", 40, audio=PCM_100MS),
        s("conversation.item.truncated", 40, item_id="nope", content_index=0, audio_end_ms=5),
        s("response.output_text.delta", 40),  # malformed: no item_id
        s("response.done", 40, response="not an object"),
        Event("server", "conversation.item.added", {"type": "conversation.item.added", "item": None}, 40),
    ):
        assert reduce(state, event) is state


def test_replaying_the_same_events_gives_an_equal_state():
    transcript = "a b c d e f"
    events = text_turn() + audio_turn(transcript) + [
        s("conversation.item.truncated", 3.5, item_id="item_A1", content_index=0, audio_end_ms=1000),
        s("error", 3.6, error={"type": "server_error", "message": "x"}),
    ] + finish_audio_turn("cancelled", {"type": "cancelled", "reason": "turn_detected"}, transcript)
    first, second = run(events), run(events)
    assert first == second
    assert first is not second
    assert first.revision == second.revision > 0


def test_a_delta_copies_no_other_turn():
    before = run(audio_turn())
    after = reduce(before, s("response.output_audio_transcript.delta", 5, **ids(), delta=" more"))
    assert after.turns[0] is before.turns[0]
    assert after.turn("item_A1").text == before.turn("item_A1").text + " more"
    assert after.revision == before.revision + 1


def test_reducer_accepts_normalised_beta_events():
    beta = [
        {"type": "conversation.item.created", "event_id": "e1", "previous_item_id": None,
         "item": user_text_item() | {"content": [{"type": "input_text", "text": "Hey"}]}},
        {"type": "response.created", "event_id": "e2", "response": {"id": "resp_1", "status": "in_progress",
                                                                    "modalities": ["text"], "output": []}},
        {"type": "conversation.item.created", "event_id": "e3", "previous_item_id": "item_U1",
         "item": assistant_item()},
        {"type": "response.text.delta", "event_id": "e4", **ids(), "delta": "Yo"},
        {"type": "response.done", "event_id": "e5", "response": {
            "id": "resp_1", "status": "completed", "modalities": ["text"], "usage": USAGE,
            "output": [assistant_item("completed", [{"type": "text", "text": "Yo!"}])]}},
    ]
    events = [Event("server", ga["type"], ga, float(i), wire_type=raw["type"])
              for i, raw in enumerate(beta) for ga in normalize_server_event(raw, "beta")]
    state = run(events)
    assert [(turn.role, turn.text, turn.status) for turn in state.turns] == [
        ("user", "Hey", "completed"), ("assistant", "Yo!", "completed")]


def test_turn_defaults_match_the_contract():
    turn = Turn(item_id="x")
    assert (turn.kind, turn.status, turn.heard_ms, turn.usage, turn.latency_ms) == (
        "message", "in_progress", None, None, None)
    assert Conversation.empty() == Conversation() and Conversation.empty().revision == 0


def test_latency_starts_at_the_latest_input_not_a_stale_one():
    # history replayed at t=100 (item.create), later the user speaks: latency runs from speech_stopped
    replay = c("conversation.item.create", 100, item={"type": "message", "role": "assistant",
                                                       "content": [{"type": "output_text", "text": "old"}]})
    events = [replay] + [
        Event(e.direction, e.type, e.payload, e.t + 200) for e in audio_turn()
    ]
    answer = run(events).turn("item_A1")
    assert answer.latency_ms == pytest.approx(450)  # speech_stopped at 201.0 → first delta at 201.45


def test_latency_of_push_to_talk_runs_from_the_manual_commit():
    events = [
        c("input_audio_buffer.commit", 5.0),
        s("input_audio_buffer.committed", 5.1, previous_item_id=None, item_id="item_U1"),
        c("response.create", 5.2),
        s("response.created", 5.3, response=response()),
        s("response.output_text.delta", 5.9, **ids(), delta="ok"),
    ]
    assert run(events).turn("item_A1").latency_ms == pytest.approx(800)


def test_response_without_user_input_has_no_latency():
    events = [
        s("response.created", 1.0, response=response()),
        s("response.output_text.delta", 1.5, **ids(), delta="unprompted"),
    ]
    assert run(events).turn("item_A1").latency_ms is None



def test_errors_stay_where_they_happened_when_an_item_is_placed_after_its_predecessor():
    events = text_turn()
    state = run(events[:4] + [s("error", 10.05, error={"type": "server_error", "message": "hiccup"})]
                + events[6:7])  # the assistant item arrives via conversation.item.added after item_U1
    assert [turn.kind for turn in state.turns] == ["message", "error", "message"]
    assert state.turns[2].item_id == "item_A1"


def test_final_item_after_truncation_recuts_the_complete_transcript():
    full = "one two three four five six seven eight"
    events = audio_turn("one two", chunks=40)  # only two words of transcript had arrived
    state = run(events + [s("conversation.item.truncated", 2.1, item_id="item_A1", content_index=0,
                            audio_end_ms=2000)])
    assert state.turn("item_A1").text == "one"
    item = assistant_item("incomplete", [{"type": "output_audio", "transcript": full}])
    state = reduce(state, s("conversation.item.done", 2.2, previous_item_id="item_U1", item=item))
    answer = state.turn("item_A1")
    assert (answer.full_text, answer.text, answer.status) == (full, "one two three four", "interrupted")
