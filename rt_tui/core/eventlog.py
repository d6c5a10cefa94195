"""The bounded event log: recent events with audio elided and secrets redacted.

Audio never stays in memory as base64 text: it becomes "‹audio 4,800 B = 100 ms›" and the byte count
is kept on the record. The ring keeps the newest `capacity` events; `total` and `dropped` count all.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from rt_tui.core.events import Event
from rt_tui.core.redaction import AUDIO_MARKER_PREFIX, redact

__all__ = ["EventLog", "LogRecord", "audio_marker", "elide_audio", "redact", "sanitize_event"]

DEFAULT_CAPACITY = 50_000
PCM16_BYTES_PER_MS = 48  # 24 kHz mono, 2 bytes per sample
AUDIO_DELTA_TYPES = frozenset({"response.output_audio.delta", "response.audio.delta"})


def base64_length(text: str) -> int:
    """Decoded byte length of a base64 string, without decoding it."""
    padding = 2 if text.endswith("==") else 1 if text.endswith("=") else 0
    return max(0, len(text) * 3 // 4 - padding)


def audio_marker(n_bytes: int) -> str:
    ms = n_bytes / PCM16_BYTES_PER_MS
    ms_text = f"{ms:,.0f}" if ms == int(ms) else f"{ms:,.1f}"
    return f"‹audio {n_bytes:,} B = {ms_text} ms›"


def is_audio_marker(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(AUDIO_MARKER_PREFIX)


def elide_audio(payload: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Replace every base64 audio string in `payload` by a marker; return the new payload and bytes elided.

    Covers `input_audio_buffer.append` `audio`, audio delta `delta`, and `audio` fields of items
    and content parts (retrieved items, created input_audio items). Untouched parts are shared.
    """
    type_ = payload.get("type")
    if type_ in AUDIO_DELTA_TYPES or type_ == "input_audio_buffer.append":  # the flood: a flat event
        key = "audio" if type_ == "input_audio_buffer.append" else "delta"
        value = payload.get(key)
        if not isinstance(value, str) or is_audio_marker(value):
            return payload, 0
        n = base64_length(value)
        return {**payload, key: audio_marker(n)}, n
    if isinstance(type_, str) and type_.endswith(".delta"):  # text, transcript, arguments: no audio
        return payload, 0
    total = 0

    def walk(value: Any, audio_key: bool) -> Any:
        nonlocal total
        if audio_key and isinstance(value, str) and not is_audio_marker(value):
            n = base64_length(value)
            total += n
            return audio_marker(n)
        if isinstance(value, dict):
            changed = {k: walk(v, k == "audio") for k, v in value.items()}
            return changed if any(changed[k] is not value[k] for k in value) else value
        if isinstance(value, list):
            changed_list = [walk(v, False) for v in value]
            return changed_list if any(a is not b for a, b in zip(changed_list, value)) else value
        return value

    return walk(payload, False), total


def sanitize_event(event: Event, secrets: Iterable[str] = ()) -> tuple[Event, int]:
    """The event as it may be kept or written: audio elided, secrets redacted; plus audio bytes."""
    payload, audio_bytes = elide_audio(event.payload)
    clean = Event(event.direction, event.type, redact(payload, secrets), event.t, event.wire_type, event.size)
    return clean, audio_bytes


class LogRecord:
    """One logged event, stored compactly: scalar fields plus the sanitised payload as JSON text.

    Holding text instead of nested dicts keeps a full ring to one object per event for the garbage
    collector (full collections stay short) and to a few hundred bytes. `seq` counts from 0 over the
    whole session, so it survives ring drops. A single event's row in the inspector is its record, so
    it also answers the `Row` questions (`records`, `count`, `grouped`, totals).
    """

    __slots__ = ("seq", "direction", "type", "wire_type", "t", "size", "audio_bytes", "item_id", "response_id",
                 "is_error", "text", "_lower")
    grouped = False
    count = 1
    duration_s = 0.0

    def __init__(self, seq: int, event: Event, audio_bytes: int = 0) -> None:
        payload = event.payload
        self.seq = seq
        self.direction = event.direction
        self.type = event.type
        self.wire_type = event.wire_type
        self.t = event.t
        self.size = event.size
        self.audio_bytes = audio_bytes
        self.item_id = _shared(item_id_of(payload))  # runs of deltas share one id string
        self.response_id = _shared(response_id_of(payload))
        self.is_error = is_error_event(event.type, payload)
        # ASCII JSON: one byte per character in memory (a single "‹" would make the whole string UCS-2)
        self.text = json.dumps(payload, separators=(",", ":"))
        self._lower: str | None = None

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.text)

    @property
    def event(self) -> Event:
        return Event(self.direction, self.type, self.payload, self.t, self.wire_type, self.size)  # type: ignore[arg-type]

    @property
    def search_text(self) -> str:
        """Lower-cased payload JSON (non-ASCII as \\u escapes; see `search_term`), computed on first use."""
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    # the Row interface, for a row holding just this event
    @property
    def records(self) -> tuple[LogRecord]:
        return (self,)

    @property
    def first(self) -> LogRecord:
        return self

    @property
    def last_seq(self) -> int:
        return self.seq

    @property
    def total_size(self) -> int:
        return self.size


def search_term(text: str) -> str:
    """`text` as it appears in a record's `search_text` (lower case, JSON-escaped like the stored payload)."""
    return json.dumps(text.lower())[1:-1]


def _shared(value: Any) -> str | None:
    return sys.intern(value) if isinstance(value, str) else None


def item_id_of(payload: dict[str, Any]) -> str | None:
    item = payload.get("item")
    return payload.get("item_id") or (item.get("id") if isinstance(item, dict) else None)


def response_id_of(payload: dict[str, Any]) -> str | None:
    response = payload.get("response")
    return payload.get("response_id") or (response.get("id") if isinstance(response, dict) else None)


def is_error_event(type_: str, payload: dict[str, Any]) -> bool:
    if type_ == "error" or type_.endswith(".failed"):
        return True
    response = payload.get("response")
    return type_ == "response.done" and isinstance(response, dict) and response.get("status") == "failed"


class EventLog:
    def __init__(self, capacity: int = DEFAULT_CAPACITY, secrets: Iterable[str] = ()) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.secrets = tuple(secrets)
        self._ring: deque[LogRecord] = deque(maxlen=capacity)
        self.total = 0

    @property
    def dropped(self) -> int:
        return self.total - len(self._ring)

    @property
    def first_seq(self) -> int:
        """Sequence number of the oldest record still held."""
        return self.dropped

    def append(self, event: Event) -> LogRecord:
        clean, audio_bytes = sanitize_event(event, self.secrets)
        record = LogRecord(self.total, clean, audio_bytes)
        self._ring.append(record)
        self.total += 1
        return record

    def skip(self, count: int) -> None:
        """Count `count` events as received and dropped unseen: a backlog larger than the whole ring.

        The ring is emptied too, since the next `capacity` events would replace it anyway; sequence
        numbers stay contiguous.
        """
        if count > 0:
            self._ring.clear()
            self.total += count

    def extend(self, events: Iterable[Event]) -> list[LogRecord]:
        return [self.append(e) for e in events]

    def records(self) -> list[LogRecord]:
        return list(self._ring)

    def get(self, seq: int) -> LogRecord | None:
        index = seq - self.first_seq
        return self._ring[index] if 0 <= index < len(self._ring) else None

    def __len__(self) -> int:
        return len(self._ring)

    def __iter__(self) -> Iterator[LogRecord]:
        return iter(self._ring)
