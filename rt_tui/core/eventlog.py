"""The bounded event log: recent events with audio elided and secrets redacted.

Audio never stays in memory as base64 text: it becomes "‹audio 4,800 B = 100 ms›" and the byte count
is kept on the record. The ring keeps the newest `capacity` events; `total` and `dropped` count all.
"""

from __future__ import annotations

import dataclasses
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rt_tui.core.events import Event
from rt_tui.core.redaction import redact

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
    return isinstance(value, str) and value.startswith("‹audio ")


def elide_audio(payload: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Replace every base64 audio string in `payload` by a marker; return the new payload and bytes elided.

    Covers `input_audio_buffer.append` `audio`, audio delta `delta`, and `audio` fields of items
    and content parts (retrieved items, created input_audio items). Untouched parts are shared.
    """
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

    result = walk(payload, False)
    if payload.get("type") in AUDIO_DELTA_TYPES and isinstance(payload.get("delta"), str):
        result = dict(result)
        result["delta"] = walk(payload["delta"], True)
    return result, total


def sanitize_event(event: Event, secrets: Iterable[str] = ()) -> tuple[Event, int]:
    """The event as it may be kept or written: audio elided, secrets redacted; plus audio bytes."""
    payload, audio_bytes = elide_audio(event.payload)
    return dataclasses.replace(event, payload=redact(payload, secrets), extra={}), audio_bytes


@dataclass(slots=True)
class LogRecord:
    """One logged event. `seq` counts from 0 over the whole session, so it survives ring drops."""

    seq: int
    event: Event
    audio_bytes: int = 0
    _search_text: str | None = field(default=None, repr=False, compare=False)

    @property
    def search_text(self) -> str:
        """Lower-cased JSON of the payload, computed on first use (only searches pay for it)."""
        if self._search_text is None:
            self._search_text = json.dumps(self.event.payload, ensure_ascii=False).lower()
        return self._search_text


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
