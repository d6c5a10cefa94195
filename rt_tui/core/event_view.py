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
from dataclasses import dataclass

from rt_tui.core.event_types import ALL_EVENT_TYPES
from rt_tui.core.eventlog import (
    PCM16_BYTES_PER_MS,
    LogRecord,
    is_error_event,
    item_id_of,
    response_id_of,
    search_term,
)

__all__ = ["EventFilter", "EventView", "Row", "is_error_event", "item_id_of", "response_id_of"]

_DIRECTION_WORDS = {"dir:client": "client", "dir:server": "server", "↑": "client", "↓": "server"}
_KNOWN_TYPES = frozenset(ALL_EVENT_TYPES)


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

    def matches(self, record: LogRecord) -> bool:
        if self.directions and record.direction not in self.directions:
            return False
        if self.type_patterns and not any(type_matches(record.type, p) for p in self.type_patterns):
            return False
        if self.ids and not any(
            i in (record.item_id, record.response_id) or f'"{i}"' in record.text for i in self.ids
        ):
            return False  # the quoted form also finds call_id, previous_item_id, …
        return all(text in record.search_text for text in self.texts)


class Row:
    """One inspector row: a single event, or a run of deltas (`records` in arrival order).

    Byte totals are kept as records arrive, so drawing a run of thousands costs nothing extra.
    """

    __slots__ = ("records", "grouped", "total_size", "audio_bytes")

    def __init__(self, records: list[LogRecord], grouped: bool = False) -> None:
        self.records = records
        self.grouped = grouped
        self.total_size = sum(r.size for r in records)
        self.audio_bytes = sum(r.audio_bytes for r in records)

    def append(self, record: LogRecord) -> None:
        self.records.append(record)
        self.total_size += record.size
        self.audio_bytes += record.audio_bytes

    def trim_before(self, first_seq: int) -> None:
        self.records = [r for r in self.records if r.seq >= first_seq]
        self.total_size = sum(r.size for r in self.records)
        self.audio_bytes = sum(r.audio_bytes for r in self.records)

    @property
    def first(self) -> LogRecord:
        return self.records[0]

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def type(self) -> str:
        return self.first.type

    @property
    def direction(self) -> str:
        return self.first.direction

    @property
    def last_seq(self) -> int:
        return self.records[-1].seq

    @property
    def duration_s(self) -> float:
        """Audio duration for audio runs, else time from the first to the last event of the run."""
        audio = self.audio_bytes
        if audio:
            return audio / PCM16_BYTES_PER_MS / 1000
        return self.records[-1].t - self.first.t

    @property
    def is_error(self) -> bool:
        return any(r.is_error for r in self.records[:1])


class EventView:
    """Rows for a filter, built incrementally as records arrive and trimmed as the ring drops them."""

    def __init__(self, event_filter: EventFilter | None = None, grouping: bool = True) -> None:
        self.filter = event_filter or EventFilter()
        self.grouping = grouping
        self.rows: list[Row | LogRecord] = []
        self._open: dict[tuple[str, str, str | None], Row] = {}

    def reset(self, records: list[LogRecord], event_filter: EventFilter | None = None) -> None:
        if event_filter is not None:
            self.filter = event_filter
        self.rows = []
        self._open = {}
        self.add(records)

    def add(self, records: list[LogRecord]) -> list[Row | LogRecord]:
        """Add new records; return the rows that changed (new rows and runs that grew).

        A single event's row is its `LogRecord` itself (no extra object per event).
        """
        changed: list[Row | LogRecord] = []
        for record in records:
            if not self.filter.matches(record):
                continue
            if self.grouping and is_groupable(record.type):
                key = (record.direction, record.type, record.item_id)
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
                if row.records:
                    kept.append(row)
        self.rows[:stale] = kept
        if self._open:
            self._open = {k: r for k, r in self._open.items() if r.records}
        return stale - len(kept)
