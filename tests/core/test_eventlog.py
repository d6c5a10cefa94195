from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from rt_tui.core.event_view import EventFilter, EventView
from rt_tui.core.eventlog import EventLog, audio_marker, elide_audio
from rt_tui.core.events import Event
from rt_tui.core.redaction import REDACTED, redact, register_secret


def b64(n_bytes: int) -> str:
    return base64.b64encode(bytes(n_bytes)).decode()


def ev(direction: str, type_: str, t: float = 0.0, **fields) -> Event:
    payload = {"type": type_, **fields}
    return Event(direction, type_, payload, t, type_, len(json.dumps(payload)))


def audio_turn(item: str = "item_A", n: int = 5, t0: float = 0.0) -> list[Event]:
    events = [ev("server", "response.output_item.added", t0, response_id="resp_1", item={"id": item})]
    for i in range(n):
        t = t0 + 0.01 * (i + 1)
        events.append(ev("server", "response.output_audio.delta", t, item_id=item, response_id="resp_1", delta=b64(4800)))
        events.append(ev("server", "response.output_audio_transcript.delta", t, item_id=item, response_id="resp_1", delta="hi "))
    events.append(ev("server", "response.output_audio.done", t0 + 1, item_id=item, response_id="resp_1"))
    return events


def test_audio_marker_format() -> None:
    assert audio_marker(4800) == "‹audio 4,800 B = 100 ms›"
    assert audio_marker(12_000) == "‹audio 12,000 B = 250 ms›"


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"type": "input_audio_buffer.append", "audio": b64(4800)}, ("audio",)),
        ({"type": "response.output_audio.delta", "delta": b64(4800), "item_id": "i"}, ("delta",)),
        (
            {"type": "conversation.item.retrieved", "item": {"id": "i", "content": [{"type": "input_audio", "audio": b64(4800)}]}},
            ("item", "content", 0, "audio"),
        ),
    ],
)
def test_audio_is_elided_and_counted(payload: dict, path: tuple) -> None:
    elided, n = elide_audio(payload)
    value = elided
    for key in path:
        value = value[key]
    assert value == "‹audio 4,800 B = 100 ms›"
    assert n == 4800
    assert len(payload[path[0]]) > 100 or path[0] == "item"  # the input is untouched


def test_text_deltas_are_not_elided() -> None:
    payload = {"type": "response.output_audio_transcript.delta", "delta": "hello"}
    assert elide_audio(payload) == (payload, 0)


def test_log_keeps_no_audio_text() -> None:
    log = EventLog()
    log.extend(audio_turn(n=20))
    dumped = json.dumps([r.event.payload for r in log])
    assert b64(4800)[:50] not in dumped
    assert sum(r.audio_bytes for r in log) == 20 * 4800


def test_ring_is_bounded_and_counts_drops() -> None:
    log = EventLog(capacity=10)
    log.extend(ev("server", "rate_limits.updated", i) for i in range(25))
    assert len(log) == 10
    assert (log.total, log.dropped, log.first_seq) == (25, 15, 15)
    assert [r.seq for r in log][0] == 15
    assert log.get(24).event.t == 24 and log.get(3) is None


@pytest.mark.parametrize(
    "secret_text",
    [
        "sk-proj-abcdefghijklmnopqrstuvwx1234",
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop",
        "wss://x.openai.azure.com/openai/realtime?api-key=0123456789abcdef0123456789abcdef&deployment=d",
        "ek_68af1234567890abcdefabcdef",
        "3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c",
    ],
)
def test_key_shapes_are_redacted(secret_text: str) -> None:
    out = redact({"type": "error", "error": {"message": f"failed with {secret_text} here"}})
    assert REDACTED in out["error"]["message"]
    assert secret_text.split()[-1].split("api-key=")[-1][:20] not in out["error"]["message"]
    assert out["error"]["message"].startswith("failed with ")


def test_sensitive_fields_and_explicit_secrets_are_redacted() -> None:
    data = {"headers": {"api-key": "plainkey1234"}, "client_secret": {"value": "abc", "expires_at": 5}, "note": "k=MYKEY-42x"}
    out = redact(data, secrets=["MYKEY-42x"])
    assert out == {"headers": {"api-key": REDACTED}, "client_secret": {"value": REDACTED, "expires_at": 5}, "note": f"k={REDACTED}"}
    assert data["headers"]["api-key"] == "plainkey1234"  # a copy, not in place


def test_registered_secret_redacted_in_log() -> None:
    register_secret("zz-registered-secret-99")
    log = EventLog()
    log.append(ev("client", "conversation.item.create", item={"content": [{"type": "input_text", "text": "my key is zz-registered-secret-99"}]}))
    assert "zz-registered-secret-99" not in json.dumps(log.records()[0].event.payload)


def test_ordinary_protocol_fields_survive_redaction() -> None:
    payload = {"type": "response.done", "event_id": "event_ABCdef1234567890", "response": {"id": "resp_CDE12345678901234567890",
               "usage": {"total_tokens": 42, "input_tokens": 10}, "status": "completed"}}
    assert redact(payload) == payload


def test_grouping_collapses_interleaved_delta_runs() -> None:
    log = EventLog()
    view = EventView()
    view.add(log.extend(audio_turn(n=143)))
    assert [(r.type, r.count) for r in view.rows] == [
        ("response.output_item.added", 1),
        ("response.output_audio.delta", 143),
        ("response.output_audio_transcript.delta", 143),
        ("response.output_audio.done", 1),
    ]
    audio = view.rows[1]
    assert audio.grouped and audio.audio_bytes == 143 * 4800
    assert audio.duration_s == pytest.approx(14.3)
    assert view.rows[2].duration_s == pytest.approx(1.42)


def test_deltas_of_different_items_do_not_merge() -> None:
    view = EventView()
    view.add(EventLog().extend(audio_turn("item_A", 3) + audio_turn("item_B", 3, t0=2)))
    audio_rows = [r for r in view.rows if r.type == "response.output_audio.delta"]
    assert [r.count for r in audio_rows] == [3, 3]


def test_grouping_is_incremental_across_batches() -> None:
    log, view = EventLog(), EventView()
    events = audio_turn(n=10)
    view.add(log.extend(events[:7]))
    changed = view.add(log.extend(events[7:]))
    assert [r.count for r in view.rows] == [1, 10, 10, 1]
    assert view.rows[1] in changed


@pytest.mark.parametrize(
    ("query", "expected_types"),
    [
        ("dir:client", {"input_audio_buffer.append", "response.create"}),
        ("↓ response.create*", {"response.created"}),
        ("response.output_audio.*", {"response.output_audio.delta", "response.output_audio.done"}),
        ("error", {"error"}),
        ("id:item_B", {"response.output_audio_transcript.delta"}),
        ('"wrong value"', {"error"}),
        ("dir:server *.delta", {"response.output_audio.delta", "response.output_audio_transcript.delta"}),
    ],
)
def test_filters(query: str, expected_types: set[str]) -> None:
    events = [
        ev("client", "input_audio_buffer.append", 0, audio=b64(4800)),
        ev("client", "response.create", 0.1),
        ev("server", "response.created", 0.2, response={"id": "resp_1"}),
        ev("server", "response.output_audio.delta", 0.3, item_id="item_A", delta=b64(4800)),
        ev("server", "response.output_audio_transcript.delta", 0.3, item_id="item_B", delta="x"),
        ev("server", "response.output_audio.done", 0.4, item_id="item_A"),
        ev("server", "error", 0.5, error={"message": "Wrong value here", "type": "invalid_request_error"}),
    ]
    view = EventView(EventFilter.parse(query))
    view.add(EventLog().extend(events))
    assert {r.type for r in view.rows} == expected_types


def test_free_text_search_never_matches_audio_base64() -> None:
    audio = b64(4800)
    view = EventView(EventFilter.parse(audio[:12].lower()))
    view.add(EventLog().extend([ev("client", "input_audio_buffer.append", audio=audio)]))
    assert view.rows == []


def test_drop_before_trims_rows_with_the_ring() -> None:
    log, view = EventLog(capacity=12), EventView()
    view.add(log.extend(audio_turn(n=10)))  # 22 events, 10 dropped
    view.drop_before(log.first_seq)
    assert sum(r.count for r in view.rows) == len(log) == 12
    assert all(rec.seq >= log.first_seq for row in view.rows for rec in row.records)


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys; import rt_tui.core.eventlog, rt_tui.core.event_view, rt_tui.core.recording, rt_tui.core.redaction,"
        " rt_tui.core.sdk_code, rt_tui.core.event_types, rt_tui.replay;"
        "assert 'textual' not in sys.modules, 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_partial_type_matches_as_prefix_known_type_exactly() -> None:
    records = EventLog().extend([ev("server", "response.created"), ev("server", "response.create"), ev("server", "conversation.item.added")])
    view = EventView(EventFilter.parse("response.create"))
    view.add(records)
    assert [r.type for r in view.rows] == ["response.create"]
    view = EventView(EventFilter.parse("conversation.item.ad"))
    view.add(records)
    assert [r.type for r in view.rows] == ["conversation.item.added"]


def test_search_finds_non_ascii_and_quoted_text() -> None:
    records = EventLog().extend([
        ev("client", "conversation.item.create", item={"content": [{"type": "input_text", "text": 'Crème brûlée, "please"'}]}),
        ev("server", "rate_limits.updated"),
    ])
    for query in ["brûlée", "crème", '"brûlée, \\"please\\""', "BRÛLÉE"[:3]]:
        view = EventView(EventFilter.parse(query))
        view.add(records)
        assert [r.type for r in view.rows] == ["conversation.item.create"], query
    assert records[0].payload["item"]["content"][0]["text"] == 'Crème brûlée, "please"'
