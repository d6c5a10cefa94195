"""What the inspector shows: filtered log records, with runs of deltas collapsed into one row.

Filter syntax (space-separated terms, all must hold; several type or id terms are alternatives):
  `dir:client` / `dir:server` (also `↑` / `↓`), a type or wildcard (`response.*`, `*.delta`, `error`;
  a partial name matches as a prefix),
  `id:<item, response or call id>`, `"quoted phrase"` or any other word: free text over the payload.

Grouping: a delta (`*.delta`, or an `input_audio_buffer.append`) joins the open row of the same
direction, type and item; any other event that passes the filter closes all open rows. Audio and
transcript deltas of one response therefore interleave into two rows, not hundreds.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rt_tui.core.event_types import ALL_EVENT_TYPES
from rt_tui.core.eventlog import (
    PCM16_BYTES_PER_MS,
    Block,
    EventLog,
    LogRecord,
    is_error_event,
    item_id_of,
    response_id_of,
    search_term,
)

__all__ = ["EventFilter", "EventView", "Row", "is_error_event", "item_id_of", "response_id_of"]

_DIRECTION_WORDS = {"dir:client": "client", "dir:server": "server", "↑": "client", "↓": "server"}
_KNOWN_TYPES = frozenset(ALL_EVENT_TYPES)
SCAN_CHUNK = 2048  # records judged between deadline checks of a budgeted rebuild


def is_groupable(type_: str) -> bool:
    return type_.endswith(".delta") or type_ == "input_audio_buffer.append"


def type_matches(type_: str, pattern: str) -> bool:
    """Wildcards match as globs, known type names exactly, anything else as a prefix (typing in progress)."""
    if "*" in pattern or "?" in pattern or "[" in pattern:
        return fnmatch.fnmatchcase(type_, pattern)
    if pattern in _KNOWN_TYPES:
        return type_ == pattern
    return type_.startswith(pattern)


def _looks_like_type(term: str) -> bool:
    return "*" in term or "?" in term or term in _KNOWN_TYPES or (
        "." in term and re.fullmatch(r"[a-z_.]+", term) is not None
    )


@dataclass(frozen=True)
class EventFilter:
    directions: frozenset[str] = frozenset()
    type_patterns: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()

    @classmethod
    def parse(cls, query: str) -> EventFilter:
        try:
            terms = shlex.split(query)
        except ValueError:  # an unclosed quote while typing
            terms = query.replace('"', " ").split()
        directions: set[str] = set()
        types: list[str] = []
        ids: list[str] = []
        texts: list[str] = []
        for term in terms:
            if term in _DIRECTION_WORDS:
                directions.add(_DIRECTION_WORDS[term])
            elif term.startswith("id:"):
                if term[3:]:
                    ids.append(term[3:])
            elif _looks_like_type(term):
                types.append(term)
            else:
                texts.append(search_term(term))
        return cls(frozenset(directions), tuple(types), tuple(ids), tuple(texts))

    @property
    def is_empty(self) -> bool:
        return not (self.directions or self.type_patterns or self.ids or self.texts)

    def matches_kind(self, direction: str, type_: str) -> bool:
        if self.directions and direction not in self.directions:
            return False
        return not self.type_patterns or any(type_matches(type_, p) for p in self.type_patterns)

    def matches(self, record: LogRecord) -> bool:
        return self.matches_kind(record.direction, record.type) and self._matches_content(record)

    def _matches_content(self, record: LogRecord) -> bool:
        if self.ids and not any(
            i in (record.item_id, record.response_id) or f'"{i}"' in record.text for i in self.ids
        ):
            return False  # the quoted form also finds call_id, previous_item_id, …
        if not self.texts:
            return True
        lower = record.search_text
        return all(text in lower for text in self.texts)

    def select(self, log: EventLog, start_seq: int = 0, stop_seq: int | None = None) -> Iterator[LogRecord]:
        """The records of `log` that pass (from `start_seq`, before `stop_seq`), judged a block at a time:
        each kind of event once per block, and a block whose whole text lacks a search term or id is
        skipped without looking at its events."""
        for block, start, stop in log.blocks(start_seq, stop_seq):
            kinds = [self.matches_kind(direction, type_) for direction, type_, _, _ in block.kinds]
            if not any(kinds):
                continue
            texts = block.texts() if self.ids or self.texts else None
            lowered: list[str] | None = None
            if texts is not None and self.texts:
                whole = "\n".join(texts).lower()  # search terms never hold a raw newline
                if not all(text in whole for text in self.texts):
                    continue
                lowered = whole.split("\n")
            if texts is not None and self.ids and not any(
                i in block.strings or f'"{i}"' in text for i in self.ids for text in texts
            ):
                continue
            for index in range(start, stop):
                if not kinds[block.kind[index]]:
                    continue
                if self.ids and texts is not None and not any(
                    i in (block.strings[block.item[index]], block.strings[block.response[index]])
                    or f'"{i}"' in texts[index] for i in self.ids
                ):
                    continue
                if lowered is not None and not all(text in lowered[index] for text in self.texts):
                    continue
                yield LogRecord(block, index)


class Row:
    """A run of deltas in one inspector row (`record(i)` in arrival order; `records` lists them all).

    Members are kept as sequence numbers (8 bytes each) with the few storage blocks they live in, not
    as record objects; byte totals are kept as records arrive, so drawing a run of thousands costs nothing.
    """

    __slots__ = ("grouped", "total_size", "audio_bytes", "_seqs", "_blocks")

    def __init__(self, records: list[LogRecord], grouped: bool = False) -> None:
        self.grouped = grouped
        self.total_size = 0
        self.audio_bytes = 0
        self._seqs = array("q")
        self._blocks: list[Block] = []
        for record in records:
            self.append(record)

    def append(self, record: LogRecord) -> None:
        block, index = record.block, record.index
        self._seqs.append(block.first_seq + index)
        if not self._blocks or self._blocks[-1] is not block:
            self._blocks.append(block)
        self.total_size += block.size[index]
        self.audio_bytes += block.audio_bytes[index]

    def trim_before(self, first_seq: int) -> None:
        cut = bisect_left(self._seqs, first_seq)
        for index in range(cut):
            gone = self.record(index)
            self.total_size -= gone.size
            self.audio_bytes -= gone.audio_bytes
        del self._seqs[:cut]
        if self._seqs:
            self._blocks = [b for b in self._blocks if b.first_seq + len(b) > self._seqs[0]]
        else:
            self._blocks = []

    def record(self, index: int) -> LogRecord:
        seq = self._seqs[index]
        block = self._blocks[bisect_right(self._blocks, seq, key=_first_seq) - 1]
        return LogRecord(block, seq - block.first_seq)

    def index_of(self, record: LogRecord) -> int:
        index = bisect_left(self._seqs, record.seq)
        if index == len(self._seqs) or self._seqs[index] != record.seq:
            raise ValueError(f"{record!r} is not in this row")
        return index

    @property
    def records(self) -> list[LogRecord]:
        return [self.record(i) for i in range(len(self._seqs))]

    @property
    def first(self) -> LogRecord:
        return self.record(0)

    @property
    def count(self) -> int:
        return len(self._seqs)

    @property
    def type(self) -> str:
        return self.first.type

    @property
    def direction(self) -> str:
        return self.first.direction

    @property
    def last_seq(self) -> int:
        return self._seqs[-1]

    @property
    def duration_s(self) -> float:
        """Audio duration for audio runs, else time from the first to the last event of the run."""
        audio = self.audio_bytes
        if audio:
            return audio / PCM16_BYTES_PER_MS / 1000
        return self.record(-1).t - self.first.t

    @property
    def is_error(self) -> bool:
        return self.first.is_error


def _first_seq(block: Block) -> int:
    return block.first_seq


class EventView:
    """Rows for a filter, built incrementally as records arrive and trimmed as the ring drops them."""

    def __init__(self, event_filter: EventFilter | None = None, grouping: bool = True) -> None:
        self.filter = event_filter or EventFilter()
        self.grouping = grouping
        self.rows: list[Row | LogRecord] = []
        self._open: dict[tuple[str, str, str | None], Row] = {}
        self._scan_seq: int | None = None  # next record of the log a rebuild will look at

    def reset(self, records: Iterable[LogRecord] | EventLog, event_filter: EventFilter | None = None,
              budget_s: float | None = None) -> None:
        """Rebuild the rows from `records`, or from a whole `EventLog` a block at a time.

        From a log with `budget_s`, stop after about that long: `scanning` stays true and `catch_up`
        carries on (records the log takes meanwhile are found by the scan, not given to `add`).
        """
        if event_filter is not None:
            self.filter = event_filter
        self.rows = []
        self._open = {}
        if isinstance(records, EventLog):
            self._scan_seq = records.first_seq
            self.catch_up(records, budget_s)
        else:
            self._scan_seq = None
            self._add(records, matched=False)

    @property
    def scanning(self) -> bool:
        """A rebuild from the log is still under way (see `reset`)."""
        return self._scan_seq is not None

    def catch_up(self, log: EventLog, budget_s: float | None = None) -> bool:
        """Carry on a rebuild for at most about `budget_s` (None: to the end; at least one chunk is judged);
        True once the view has caught up."""
        deadline = None if budget_s is None else time.perf_counter() + budget_s
        while self._scan_seq is not None:
            started = time.perf_counter()
            start = max(self._scan_seq, log.first_seq)
            stop = min(log.total, start + SCAN_CHUNK)
            self._add(self.filter.select(log, start, stop), matched=True)
            self._scan_seq = None if stop >= log.total else stop
            now = time.perf_counter()
            if deadline is not None and now + (now - started) > deadline:  # the next chunk would not fit
                break
        return self._scan_seq is None

    def add(self, records: Iterable[LogRecord]) -> list[Row | LogRecord]:
        """Add new records; return the rows that changed (new rows and runs that grew).

        A single event's row is its `LogRecord` itself; a run holds its members' sequence numbers.
        """
        return self._add(records, matched=False)

    def _add(self, records: Iterable[LogRecord], matched: bool) -> list[Row | LogRecord]:
        changed: list[Row | LogRecord] = []
        check = not matched and not self.filter.is_empty
        for record in records:
            if check and not self.filter.matches(record):
                continue
            block, index = record.block, record.index
            direction, type_, _, _ = block.kinds[block.kind[index]]
            if self.grouping and is_groupable(type_):
                key = (direction, type_, block.strings[block.item[index]])
                row = self._open.get(key)
                if row is None:
                    row = self._open[key] = Row([record], grouped=True)
                    self.rows.append(row)
                else:
                    row.append(record)
                changed.append(row)
            else:
                if self._open:
                    self._open.clear()
                self.rows.append(record)
                changed.append(record)
        return changed

    def drop_before(self, first_seq: int) -> int:
        """Forget records older than `first_seq`; return how many rows disappeared."""
        stale = 0
        while stale < len(self.rows) and self.rows[stale].first.seq < first_seq:
            stale += 1
        if not stale:
            return 0
        kept: list[Row | LogRecord] = []
        for row in self.rows[:stale]:
            if isinstance(row, Row):
                row.trim_before(first_seq)
                if row.count:
                    kept.append(row)
        self.rows[:stale] = kept
        if self._open:
            self._open = {k: r for k, r in self._open.items() if r.count}
        return stale - len(kept)
