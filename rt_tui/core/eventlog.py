"""The bounded event log: recent events with audio elided and secrets redacted.

Audio never stays in memory as base64 text: it becomes "‹audio 4,800 B = 100 ms›" and the byte count
is kept on the record. The ring keeps the newest `capacity` events; `total` and `dropped` count all.

Storage is columnar (`Block`s of 512 events, payload texts zlib-packed once a block is full): a
full ring of 50,000 events of a voice session is a few MB and a few hundred objects for the garbage
collector. A `LogRecord` is a light view of one stored event, made on demand.
"""

from __future__ import annotations

import json
import zlib
from array import array
from functools import lru_cache
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from rt_tui.core.events import Event
from rt_tui.core.redaction import AUDIO_MARKER_PREFIX, redact

__all__ = ["EventLog", "LogRecord", "audio_marker", "elide_audio", "redact", "sanitize_event"]

DEFAULT_CAPACITY = 50_000
BLOCK_SIZE = 512  # events per storage block
UNPACKED_BLOCKS = 4  # packed blocks kept unpacked at once (rendering, search and export read in order)
PCM16_BYTES_PER_MS = 48  # 24 kHz mono, 2 bytes per sample
AUDIO_DELTA_TYPES = frozenset({"response.output_audio.delta", "response.audio.delta"})


def base64_length(text: str) -> int:
    """Decoded byte length of a base64 string, without decoding it."""
    padding = 2 if text.endswith("==") else 1 if text.endswith("=") else 0
    return max(0, len(text) * 3 // 4 - padding)


@lru_cache(maxsize=256)  # audio comes in a few chunk sizes
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


def search_term(text: str) -> str:
    """`text` as it appears in a record's `search_text` (lower case, JSON-escaped like the stored payload)."""
    return json.dumps(text.lower())[1:-1]


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


Kind = tuple[str, str, str, bool]  # direction, type, wire_type, is_error
# ASCII JSON: one byte per character (a single "‹" would make a whole str UCS-2) and packable as ASCII
_compact_json = json.JSONEncoder(separators=(",", ":")).encode


class Block:
    """Up to `BLOCK_SIZE` consecutive events as columns; once full, their payload texts are zlib-packed.

    Per event that is ~30 B of columns plus a few compressed bytes, instead of an object, a float, an
    int and a JSON string. Kinds and ids are small per-block tables (they die with the block). Payload
    texts are compact ASCII JSON joined by newlines (JSON text never contains a raw newline).
    """

    __slots__ = ("first_seq", "t", "size", "audio_bytes", "kind", "item", "response", "kinds", "strings",
                 "_kind_codes", "_string_codes", "_texts", "_packed")

    def __init__(self, first_seq: int) -> None:
        self.first_seq = first_seq
        self.t = array("d")
        self.size = array("q")
        self.audio_bytes = array("q")
        self.kind = array("H")
        self.item = array("H")
        self.response = array("H")
        self.kinds: list[Kind] = []
        self.strings: list[str | None] = [None]
        self._kind_codes: dict[Kind, int] | None = {}
        self._string_codes: dict[str | None, int] | None = {None: 0}
        self._texts: list[str] | None = []
        self._packed: bytes | None = None

    def __len__(self) -> int:
        return len(self.t)

    @property
    def full(self) -> bool:
        return len(self.t) >= BLOCK_SIZE

    def add(self, event: Event, payload: dict[str, Any], audio_bytes: int) -> int:
        """Store `event` with its sanitised `payload`; return its index in the block."""
        kind_codes, string_codes, texts = self._kind_codes, self._string_codes, self._texts
        assert kind_codes is not None and string_codes is not None and texts is not None, "a sealed block"
        kind = (event.direction, event.type, event.wire_type, is_error_event(event.type, payload))
        code = kind_codes.get(kind)
        if code is None:
            code = kind_codes[kind] = len(self.kinds)
            self.kinds.append(kind)
        self.kind.append(code)
        self.item.append(self._code(item_id_of(payload), string_codes))
        self.response.append(self._code(response_id_of(payload), string_codes))
        self.t.append(event.t)
        self.size.append(event.size)
        self.audio_bytes.append(audio_bytes)
        texts.append(_compact_json(payload))
        return len(texts) - 1

    def _code(self, value: Any, codes: dict[str | None, int]) -> int:
        if not isinstance(value, str):
            return 0
        code = codes.get(value)
        if code is None:
            code = codes[value] = len(self.strings)
            self.strings.append(value)
        return code

    def seal(self) -> None:
        """Pack the payload texts (the block is full: nothing more is added)."""
        if self._packed is None and self._texts is not None:
            self._packed = zlib.compress("\n".join(self._texts).encode("ascii"))
            self._texts = None
            self._kind_codes = self._string_codes = None

    def texts(self) -> list[str]:
        """The payload texts, unpacked on demand (the last few unpacked blocks stay unpacked)."""
        if self._texts is not None:
            return self._texts
        texts = _UNPACKED.get(self)
        if texts is None:
            assert self._packed is not None
            texts = zlib.decompress(self._packed).decode("ascii").split("\n")
            _UNPACKED[self] = texts
            if len(_UNPACKED) > UNPACKED_BLOCKS:
                _UNPACKED.popitem(last=False)
        else:
            _UNPACKED.move_to_end(self)
        return texts


_UNPACKED: OrderedDict[Block, list[str]] = OrderedDict()


class LogRecord:
    """One logged event: a view of its slot in a `Block` (made on demand, so holding none costs nothing).

    `seq` counts from 0 over the whole session, so it survives ring drops. A single event's row in the
    inspector is its record, so it also answers the `Row` questions (`records`, `count`, `grouped`, totals).
    """

    __slots__ = ("block", "index")
    grouped = False
    count = 1
    duration_s = 0.0

    def __init__(self, block: Block, index: int) -> None:
        self.block = block
        self.index = index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogRecord) and other.block is self.block and other.index == self.index

    def __hash__(self) -> int:
        return hash((id(self.block), self.index))

    def __repr__(self) -> str:
        return f"LogRecord(seq={self.seq}, {self.direction} {self.type})"

    @property
    def seq(self) -> int:
        return self.block.first_seq + self.index

    @property
    def direction(self) -> str:
        return self.block.kinds[self.block.kind[self.index]][0]

    @property
    def type(self) -> str:
        return self.block.kinds[self.block.kind[self.index]][1]

    @property
    def wire_type(self) -> str:
        return self.block.kinds[self.block.kind[self.index]][2]

    @property
    def is_error(self) -> bool:
        return self.block.kinds[self.block.kind[self.index]][3]

    @property
    def t(self) -> float:
        return self.block.t[self.index]

    @property
    def size(self) -> int:
        return self.block.size[self.index]

    @property
    def audio_bytes(self) -> int:
        return self.block.audio_bytes[self.index]

    @property
    def item_id(self) -> str | None:
        return self.block.strings[self.block.item[self.index]]

    @property
    def response_id(self) -> str | None:
        return self.block.strings[self.block.response[self.index]]

    @property
    def text(self) -> str:
        """The sanitised payload as compact ASCII JSON."""
        return self.block.texts()[self.index]

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.text)

    @property
    def event(self) -> Event:
        return Event(self.direction, self.type, self.payload, self.t, self.wire_type, self.size)  # type: ignore[arg-type]

    @property
    def search_text(self) -> str:
        """Lower-cased payload JSON (non-ASCII as \\u escapes; see `search_term`)."""
        return self.text.lower()

    # the Row interface, for a row holding just this event
    @property
    def records(self) -> tuple[LogRecord]:
        return (self,)

    def record(self, index: int) -> LogRecord:
        if index != 0:
            raise IndexError(index)
        return self

    def index_of(self, record: LogRecord) -> int:
        return 0

    @property
    def first(self) -> LogRecord:
        return self

    @property
    def last_seq(self) -> int:
        return self.seq

    @property
    def total_size(self) -> int:
        return self.size


class EventLog:
    def __init__(self, capacity: int = DEFAULT_CAPACITY, secrets: Iterable[str] = ()) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.secrets = tuple(secrets)
        self._blocks: list[Block] = []  # all full (sealed) but the last; consecutive sequence numbers
        self.total = 0

    def __len__(self) -> int:
        start = self._blocks[0].first_seq if self._blocks else self.total
        return min(self.capacity, self.total - start)

    @property
    def dropped(self) -> int:
        return self.total - len(self)

    @property
    def first_seq(self) -> int:
        """Sequence number of the oldest record still held."""
        return self.dropped

    def append(self, event: Event, elided: tuple[dict[str, Any], int] | None = None) -> LogRecord:
        """Log `event`; `elided` is `elide_audio(event.payload)` when the caller already has it."""
        payload, audio_bytes = elide_audio(event.payload) if elided is None else elided
        payload = redact(payload, self.secrets)  # what sanitize_event does, without a second Event
        blocks = self._blocks
        if not blocks or blocks[-1].full:
            if blocks:
                blocks[-1].seal()
            blocks.append(Block(self.total))
        block = blocks[-1]
        record = LogRecord(block, block.add(event, payload, audio_bytes))
        self.total += 1
        while len(blocks) > 1 and blocks[0].first_seq + BLOCK_SIZE <= self.total - self.capacity:
            del blocks[0]  # every event in it has fallen off the ring
        return record

    def skip(self, count: int) -> None:
        """Count `count` events as received and dropped unseen: a backlog larger than the whole ring.

        The ring is emptied too, since the next `capacity` events would replace it anyway; sequence
        numbers stay contiguous.
        """
        if count > 0:
            self._blocks.clear()
            self.total += count

    def extend(self, events: Iterable[Event]) -> list[LogRecord]:
        return [self.append(e) for e in events]

    def extend_elided(self, items: Iterable[tuple[Event, tuple[dict[str, Any], int]]]) -> list[LogRecord]:
        """Log (event, `elide_audio(event.payload)`) pairs."""
        return [self.append(event, elided) for event, elided in items]

    def records(self) -> list[LogRecord]:
        return list(self)

    def get(self, seq: int) -> LogRecord | None:
        if not self.first_seq <= seq < self.total:
            return None
        offset = seq - self._blocks[0].first_seq
        return LogRecord(self._blocks[offset // BLOCK_SIZE], offset % BLOCK_SIZE)

    def blocks(self, start_seq: int = 0, stop_seq: int | None = None) -> Iterator[tuple[Block, int, int]]:
        """(block, start, stop): the index range of each block's records held in [start_seq, stop_seq), oldest first."""
        start_seq = max(start_seq, self.first_seq)
        stop_seq = self.total if stop_seq is None else min(stop_seq, self.total)
        for block in list(self._blocks):
            first = block.first_seq
            start, stop = max(0, start_seq - first), min(len(block), stop_seq - first)
            if start < stop:
                yield block, start, stop

    def __iter__(self) -> Iterator[LogRecord]:
        for block, start, stop in self.blocks():
            for index in range(start, stop):
                yield LogRecord(block, index)
