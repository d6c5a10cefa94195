"""The event log's block storage: many events across packed blocks, read back exactly; the view over it."""

from __future__ import annotations

import base64
import gc
import json

import pytest

from rt_tui.core.event_view import EventFilter, EventView
from rt_tui.core.eventlog import BLOCK_SIZE, EventLog
from rt_tui.core.events import Event

AUDIO = base64.b64encode(bytes(4800)).decode()


def ev(direction: str, type_: str, t: float, **fields) -> Event:
    payload = {"type": type_, **fields}
    return Event(direction, type_, payload, t, type_, len(json.dumps(payload)))


def session(n_turns: int) -> list[Event]:
    """Voice turns: mic appends, then a reply's interleaved audio and transcript deltas, then done."""
    events: list[Event] = []
    t = 0.0
    for turn in range(n_turns):
        item = f"item_{turn}"
        for _ in range(30):
            t += 0.1
            events.append(ev("client", "input_audio_buffer.append", t, audio=AUDIO))
        for i in range(20):
            t += 0.01
            events.append(ev("server", "response.output_audio.delta", t, item_id=item, response_id=f"resp_{turn}", delta=AUDIO))
            events.append(ev("server", "response.output_audio_transcript.delta", t, item_id=item, response_id=f"resp_{turn}",
                             delta=f"wörd{i} "))
        events.append(ev("server", "response.done", t, response={"id": f"resp_{turn}", "status": "failed" if turn == 3 else "completed"}))
    return events


def test_every_field_reads_back_exactly_from_packed_blocks() -> None:
    events = session(40)  # 2,840 events: several packed blocks and an open one
    log = EventLog()
    log.extend(events)
    assert len(log) == len(events) > 3 * BLOCK_SIZE
    for seq in (0, BLOCK_SIZE - 1, BLOCK_SIZE, 2 * BLOCK_SIZE + 7, len(events) - 1):
        record, event = log.get(seq), events[seq]
        assert record is not None and record.seq == seq
        assert (record.direction, record.type, record.t, record.size) == (event.direction, event.type, event.t, event.size)
        assert record.item_id == event.payload.get("item_id") and record.response_id == (
            event.payload.get("response_id") or event.payload.get("response", {}).get("id"))
        expected = dict(event.payload)
        for key in ("audio", "delta"):
            if expected.get(key) == AUDIO:
                expected[key] = "‹audio 4,800 B = 100 ms›"
        assert record.payload == expected
        assert record.audio_bytes == (4800 if AUDIO in event.payload.values() else 0)
    failed = [r for r in log if r.is_error]
    assert [r.response_id for r in failed] == ["resp_3"]
    assert [r.seq for r in log] == list(range(len(events)))


def test_ring_drops_whole_blocks_and_keeps_exactly_capacity() -> None:
    log = EventLog(capacity=1000)
    log.extend(session(40))
    assert len(log) == 1000 and log.first_seq == log.total - 1000
    assert log.get(log.first_seq - 1) is None and log.get(log.first_seq).seq == log.first_seq
    assert [r.seq for r in log] == list(range(log.first_seq, log.total))
    assert len(log._blocks) <= 1000 // BLOCK_SIZE + 2  # older blocks are gone, not just hidden


def test_a_full_log_is_few_objects() -> None:
    """Per event nothing is left for the garbage collector: objects grow with blocks, not events."""
    log = EventLog()
    log.extend(session(70))  # ~5,000 events
    seen: set[int] = set()
    stack: list[object] = [log]
    while stack:
        obj = stack.pop()
        if id(obj) not in seen and not isinstance(obj, type):
            seen.add(id(obj))
            stack.extend(gc.get_referents(obj))
    assert len(log) > 4900 and len(seen) < len(log) // 5  # mostly the open block's texts, packed once it fills


def test_runs_span_blocks_and_survive_trimming() -> None:
    log, view = EventLog(capacity=1500), EventView()
    events = [ev("client", "input_audio_buffer.append", i * 0.1, audio=AUDIO) for i in range(3000)]
    for start in range(0, len(events), 256):
        records = log.extend(events[start:start + 256])
        view.drop_before(log.first_seq)
        view.add([r for r in records if r.seq >= log.first_seq])
    [row] = view.rows
    assert row.count == 1500 and row.first.seq == 1500 and row.last_seq == 2999
    assert row.audio_bytes == 1500 * 4800 and row.total_size == sum(r.size for r in log)
    assert [row.record(i).seq for i in (0, 511, 512, 1499)] == [1500, 2011, 2012, 2999]
    assert row.index_of(log.get(2500)) == 1000
    elsewhere = EventLog()
    elsewhere.extend(events[:10])
    with pytest.raises(ValueError):
        row.index_of(elsewhere.get(5))


@pytest.mark.parametrize("query", ["", "dir:client", "response.output_audio_transcript.*", "wörd7", "id:item_12",
                                   "id:resp_20 wörd3", "nothing-like-this", "dir:server error"])
def test_a_budgeted_rebuild_gives_the_rows_a_whole_one_does(query: str) -> None:
    log = EventLog()
    log.extend(session(60))
    whole = EventView(EventFilter.parse(query))
    whole.add(log.records())  # record by record, the way live events come in
    sliced = EventView()
    sliced.reset(log, EventFilter.parse(query), budget_s=0)  # at least one chunk per call
    calls = 1
    while sliced.scanning:
        more = ev("server", "rate_limits.updated", 1000.0 + calls)  # events keep coming meanwhile
        log.append(more)
        whole.add([log.get(log.total - 1)])
        sliced.catch_up(log, budget_s=0)
        calls += 1
    assert calls > 1 or len(log) < 2048
    assert [(r.type, r.count, r.first.seq) for r in sliced.rows] == [(r.type, r.count, r.first.seq) for r in whole.rows]
