"""Session recordings: one JSON line per event, audio optionally in WAV files beside it.

Line: {"direction", "t", "type", "wire_type", "size", "payload", "audio_bytes"?}; the payload is
redacted and its audio elided (the same sanitising as the event log). With `audio=True`, the raw
PCM16 of `input_audio_buffer.append` goes to `NAME.mic.wav` and of output audio deltas to
`NAME.assistant.wav`, each a plain concatenation (not time-aligned). Reading restores audio
from those files, or as silence of the recorded length when they are absent, so a replay feeds the
reducer the same byte counts as the live session.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rt_tui.core.eventlog import AUDIO_DELTA_TYPES, LogRecord, sanitize_event
from rt_tui.core.events import Event

SAMPLE_RATE = 24_000
HEADER_UPDATE_BYTES = SAMPLE_RATE * 2  # a WAV track's header is rewritten after about a second of audio
MIC_APPEND_TYPE = "input_audio_buffer.append"


def track_paths(jsonl_path: Path) -> tuple[Path, Path]:
    """(mic, assistant) WAV paths beside a recording."""
    stem = jsonl_path.with_suffix("")
    return stem.with_name(stem.name + ".mic.wav"), stem.with_name(stem.name + ".assistant.wav")


def event_line(event: Event, audio_bytes: int = 0) -> str:
    """The JSON line for an already sanitised event."""
    record: dict[str, Any] = {
        "direction": event.direction,
        "t": event.t,  # full precision: replays must reduce to the identical state
        "type": event.type,
        "wire_type": event.wire_type or event.type,
        "size": event.size,
        "payload": event.payload,
    }
    if audio_bytes:
        record["audio_bytes"] = audio_bytes
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def record_line(record: LogRecord) -> str:
    """The JSON line for an event-log record (same format as `event_line`, without re-parsing the payload)."""
    head = {"direction": record.direction, "t": record.t, "type": record.type,
            "wire_type": record.wire_type or record.type, "size": record.size}
    tail = f',"audio_bytes":{record.audio_bytes}}}' if record.audio_bytes else "}"
    return json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"payload":' + record.text + tail


def write_jsonl(path: Path, lines: Iterable[str]) -> int:
    """Write ready-made lines (from `event_line`); return how many."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
            count += 1
    return count


def _raw_audio(event: Event) -> tuple[str, bytes] | None:
    """(track, pcm) when the event carries mic or assistant audio."""
    if event.type == MIC_APPEND_TYPE and event.direction == "client":
        field_name, track = "audio", "mic"
    elif event.type in AUDIO_DELTA_TYPES and event.direction == "server":
        field_name, track = "delta", "assistant"
    else:
        return None
    value = event.payload.get(field_name)
    if not isinstance(value, str) or value.startswith("‹"):
        return None
    try:
        return track, base64.b64decode(value)
    except ValueError:
        return None


def _open_wav(path: Path) -> wave.Wave_write:
    wav = wave.open(str(path), "wb")
    wav.setnchannels(1)
    wav.setsampwidth(2)
    wav.setframerate(SAMPLE_RATE)
    return wav


class Recorder:
    """Writes a recording; `secrets` (e.g. the configured API key) are redacted on top of the usual shapes."""

    def __init__(self, path: str | Path, *, audio: bool = False, secrets: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self.secrets = tuple(s for s in secrets if s)
        self.events_written = 0
        self._file: IO[str] | None = open(self.path, "w", encoding="utf-8", buffering=1)
        self._tracks: dict[str, wave.Wave_write] = {}
        self._unpatched: dict[str, int] = {}  # bytes written to a track since its header was updated
        if audio:
            mic, assistant = track_paths(self.path)
            self._tracks = {"mic": _open_wav(mic), "assistant": _open_wav(assistant)}

    @property
    def closed(self) -> bool:
        return self._file is None

    def write(self, event: Event) -> None:
        if self._file is None:
            return
        if self._tracks and (raw := _raw_audio(event)) is not None:
            self._write_audio(*raw)
        clean, audio_bytes = sanitize_event(event, self.secrets)
        self._file.write(event_line(clean, audio_bytes) + "\n")
        self.events_written += 1

    def _write_audio(self, track: str, pcm: bytes) -> None:
        """Append to a WAV track; its header's length is brought up to date about once a second of audio.

        (`writeframes` rewrites the header on every call: three seeks and two more writes per chunk,
        most of a recording's cost. A crash loses at most the last second from the header's count.)
        """
        wav = self._tracks[track]
        wav.writeframesraw(pcm)
        self._unpatched[track] = unpatched = self._unpatched.get(track, 0) + len(pcm)
        if unpatched >= HEADER_UPDATE_BYTES:
            wav.writeframes(b"")  # nothing more: just the header
            self._unpatched[track] = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        for wav in self._tracks.values():
            wav.close()
        self._tracks = {}

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class LineProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class RecordingContents:
    events: list[Event] = field(default_factory=list)
    audio_bytes: list[int] = field(default_factory=list)  # parallel to events
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.events)

    def pairs(self) -> Iterator[tuple[Event, int]]:
        return iter(zip(self.events, self.audio_bytes))


def parse_line(text: str) -> tuple[Event, int]:
    """One recording line → (event, audio bytes); ValueError with a human reason when malformed."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:  # json recurses per nesting level: a line of "[[[[…" must not end the replay
        raise ValueError("not valid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    direction = data.get("direction")
    if direction not in ("client", "server"):
        raise ValueError(f"direction must be 'client' or 'server', got {direction!r}")
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise ValueError("payload missing or not an object")
    type_ = data.get("type") or payload.get("type")
    if not isinstance(type_, str) or not type_:
        raise ValueError("event type missing")
    t = data.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0:
        raise ValueError(f"t must be a non-negative number of seconds, got {t!r}")
    size, audio = data.get("size", 0), data.get("audio_bytes", 0)
    if not isinstance(size, int) or not isinstance(audio, int) or audio < 0:
        raise ValueError("size and audio_bytes must be integers")
    wire_type = data.get("wire_type") if isinstance(data.get("wire_type"), str) else type_
    return Event(direction, type_, payload, float(t), wire_type, size), audio


MAX_LINE_CHARS = 16 * 1024 * 1024  # far beyond any event (audio is never inline); a longer line is not held


def iter_recording(path: str | Path, problems: list[LineProblem]) -> Iterator[tuple[Event, int]]:
    """(event, audio bytes) per good line; bad lines are appended to `problems` and skipped."""
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(iter(lambda: lines.readline(MAX_LINE_CHARS), ""), start=1):
            if len(text) == MAX_LINE_CHARS and not text.endswith("\n"):
                while (rest := lines.readline(MAX_LINE_CHARS)) and not rest.endswith("\n"):
                    pass  # read past the rest of the line, a chunk at a time
                problems.append(LineProblem(number, f"longer than {MAX_LINE_CHARS:,} characters"))
                continue
            if not text.strip():
                continue
            try:
                yield parse_line(text)
            except ValueError as exc:
                problems.append(LineProblem(number, str(exc)))


def read_recording(path: str | Path) -> RecordingContents:
    contents = RecordingContents()
    for event, audio in iter_recording(path, contents.problems):
        contents.events.append(event)
        contents.audio_bytes.append(audio)
    return contents


@dataclass
class RecordingSurvey:
    """A recording looked over without keeping its events (an hour's events take ~60 MB as objects).

    `pairs()` reads the file again, one (event, audio bytes) at a time, for a replay.
    """

    path: Path
    count: int = 0
    problems: list[LineProblem] = field(default_factory=list)
    model: str | None = None  # from the first session.created/updated
    beta: bool = False  # some event travelled under another (beta) name
    first_t: float | None = None

    def pairs(self) -> Iterator[tuple[Event, int]]:
        return iter_recording(self.path, [])


def survey_recording(path: str | Path) -> RecordingSurvey:
    survey = RecordingSurvey(Path(path))
    session_seen = False
    for event, _ in iter_recording(path, survey.problems):
        survey.count += 1
        if survey.first_t is None:
            survey.first_t = event.t
        if not session_seen and event.type in ("session.created", "session.updated"):
            session_seen = True
            survey.model = (event.payload.get("session") or {}).get("model") or None
        survey.beta = survey.beta or bool(event.wire_type and event.wire_type != event.type)
    return survey


class AudioRestorer:
    """Puts audio back into elided events, from the WAV tracks beside a recording or as silence."""

    def __init__(self, jsonl_path: str | Path | None = None) -> None:
        self._tracks: dict[str, wave.Wave_read] = {}
        if jsonl_path is not None:
            for name, wav_path in zip(("mic", "assistant"), track_paths(Path(jsonl_path))):
                if wav_path.exists():
                    try:
                        self._tracks[name] = wave.open(str(wav_path), "rb")
                    except (wave.Error, EOFError, OSError):
                        pass  # an unreadable track (even a folder of that name): fall back to silence

    def _take(self, track: str, n_bytes: int) -> bytes:
        wav = self._tracks.get(track)
        data = wav.readframes(n_bytes // 2) if wav is not None else b""
        return data + bytes(n_bytes - len(data))

    def restore(self, event: Event, audio_bytes: int) -> Event:
        if not audio_bytes:
            return event
        if event.type == MIC_APPEND_TYPE:
            key, track = "audio", "mic"
        elif event.type in AUDIO_DELTA_TYPES:
            key, track = "delta", "assistant"
        else:
            return event
        audio = base64.b64encode(self._take(track, audio_bytes)).decode("ascii")
        return dataclasses.replace(event, payload={**event.payload, key: audio})

    def close(self) -> None:
        for wav in self._tracks.values():
            wav.close()
        self._tracks = {}
