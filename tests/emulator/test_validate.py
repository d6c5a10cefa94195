"""The strict validator catches what it must (so the emulator tests that rely on it mean something)."""

from __future__ import annotations

import pytest
from emulator_helpers import connect, recv, until, user_text

from rt_tui.emulator.protocol import default_session, to_beta
from rt_tui.emulator.validate import assert_valid, models, problems

DELTA = {"type": "response.output_text.delta", "event_id": "event_1", "response_id": "resp_1", "item_id": "item_1",
         "output_index": 0, "content_index": 0, "delta": "Hi"}


def test_tables_match_the_sdk_unions():
    assert len(models("ga", "server")) == 46 and len(models("beta", "server")) == 34
    assert "transcription_session.update" in models("beta", "client")


def test_valid_event_passes_and_obfuscation_is_allowed_on_ga_only():
    assert problems({**DELTA, "obfuscation": "abc"}, "ga") == []
    beta = {**DELTA, "type": "response.text.delta", "obfuscation": "abc"}
    assert problems(beta, "beta") == ["response.text.delta: undeclared key obfuscation"]


@pytest.mark.parametrize("event, fragment", [
    ({**DELTA, "surprise": 1}, "undeclared key surprise"),
    ({k: v for k, v in DELTA.items() if k != "delta"}, "delta"),
    ({**DELTA, "type": "response.text.delta"}, "dialect mismatch"),
    ({"type": "made.up", "event_id": "e"}, "unknown ga server event type"),
    ({**DELTA, "output_index": "zero"}, "output_index"),
])
def test_invalid_events_are_reported(event, fragment):
    found = problems(event, "ga")
    assert found and fragment in " ".join(found)


def test_ga_session_checked_as_the_response_model():
    session = default_session("gpt-realtime", "marin", 60)
    assert problems({"type": "session.created", "event_id": "e", "session": session}, "ga") == []
    bad = {**session, "audio": {**session["audio"], "output": {**session["audio"]["output"], "pitch": 2}}}
    assert any("pitch" in p for p in problems({"type": "session.created", "event_id": "e", "session": bad}, "ga"))
    beta = to_beta({"type": "session.created", "event_id": "e", "session": session})
    assert problems(beta, "beta") == []
    assert problems(beta, "ga")  # a beta session fails the GA model, as the brief expects


async def test_client_events_sent_through_the_sdk_validate(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.session.update(session={"type": "realtime", "instructions": "hi"})
        await conn.conversation.item.create(item=user_text("hello"))
        await conn.response.create(response={"output_modalities": ["text"]})
        await until(conn, "response.done")
    assert len(emulator.received) == 3
    assert_valid(emulator.received, "ga", "client")
