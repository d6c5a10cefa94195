"""Energy-based voice activity detection that reports the service's turn-detection events.

The service's `server_vad` is a neural detector; this is an energy detector with the same knobs and
the same observable event timing:

* Audio is cut into 10 ms frames (240 samples at 24 kHz). A frame is *voiced* when its RMS level is at
  or above the threshold level.
* `threshold` (0..1) maps linearly onto a level in dBFS:  level_db = -70 + 60 * threshold.
  0.0 → -70 dBFS (any audible signal is speech), 0.5 → -40 dBFS (the default: quiet speech counts, a
  typical room/mic noise floor around -50 dBFS does not), 1.0 → -10 dBFS (only very loud audio).
  Higher threshold = a louder signal is needed, as with the service.
* Speech starts after `min_speech_ms` of voiced frames (so a click does not start a turn). The event's
  `audio_ms` is the start of the first voiced frame minus `prefix_padding_ms` (clamped at 0), the value
  the service puts in `speech_started.audio_start_ms`.
* Speech stops after `silence_duration_ms` of unvoiced frames. The event's `audio_ms` is the end of the
  last voiced frame (the true speech end), as in `speech_stopped.audio_end_ms`. A pause shorter than
  `silence_duration_ms` does not end the turn.
* Positions are milliseconds of audio counted from the first byte ever fed; `reset()` (used for
  `input_audio_buffer.clear` and after a commit) drops detection state but keeps counting.

`semantic_vad` is approximated: `eagerness` picks a silence window (see `SEMANTIC_SILENCE_MS`).
Idle timeout (`idle_timeout_ms`): the server tracks wall-clock silence after a response has finished
playing and asks `idle_timeout_reached(elapsed_ms)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

SAMPLE_RATE = 24_000
FRAME_MS = 10
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2
FULL_SCALE = 32768.0

Eagerness = Literal["low", "medium", "high", "auto"]
# Silence that ends a turn for semantic_vad. The service waits at most 8/4/2 s (low/medium/high) for a
# turn that sounds unfinished; without understanding speech we use a fixed window per eagerness.
SEMANTIC_SILENCE_MS: dict[str, int] = {"low": 1500, "medium": 800, "auto": 800, "high": 400}


def threshold_to_dbfs(threshold: float) -> float:
    """The RMS level (dBFS) a 10 ms frame needs to count as speech for a 0..1 threshold."""
    return -70.0 + 60.0 * min(1.0, max(0.0, threshold))


def frame_levels_dbfs(pcm16: bytes) -> np.ndarray:
    """RMS level in dBFS of each whole 10 ms frame of `pcm16` (trailing partial frame ignored)."""
    samples = np.frombuffer(pcm16, dtype="<i2")
    whole = len(samples) // FRAME_SAMPLES * FRAME_SAMPLES
    frames = samples[:whole].astype(np.float64).reshape(-1, FRAME_SAMPLES) / FULL_SCALE
    mean_square = np.mean(frames * frames, axis=1)
    return 10.0 * np.log10(np.maximum(mean_square, 1e-12))


@dataclass(frozen=True, slots=True)
class VadEvent:
    kind: Literal["speech_started", "speech_stopped"]
    audio_ms: int


class ServerVad:
    """Feed pcm16 (24 kHz mono, any chunking); get speech_started / speech_stopped events.

    The tuning attributes (`threshold`, `prefix_padding_ms`, `silence_duration_ms`, `idle_timeout_ms`)
    may be changed between feeds, e.g. on `session.update`; positions keep counting.
    """

    def __init__(
        self,
        threshold: float = 0.5,
        prefix_padding_ms: int = 300,
        silence_duration_ms: int = 200,
        idle_timeout_ms: int | None = None,
        min_speech_ms: int = 30,
    ) -> None:
        self.threshold = threshold
        self.prefix_padding_ms = prefix_padding_ms
        self.silence_duration_ms = silence_duration_ms
        self.idle_timeout_ms = idle_timeout_ms
        self.min_speech_ms = min_speech_ms
        self._pending = b""
        self._frames_done = 0
        self._reset_state()

    @classmethod
    def semantic(cls, eagerness: Eagerness = "auto", **kwargs: object) -> ServerVad:
        """The semantic_vad approximation: eagerness → silence window."""
        return cls(silence_duration_ms=SEMANTIC_SILENCE_MS[eagerness], **kwargs)  # type: ignore[arg-type]

    def _reset_state(self) -> None:
        self.in_speech = False
        self._voiced_run = 0  # consecutive voiced frames while not in speech
        self._silent_run = 0  # consecutive unvoiced frames (in speech: since the last voiced frame)
        self._last_voiced_end_frame = 0

    def reset(self) -> None:
        """Forget any turn in progress (buffer cleared or committed); the position keeps counting."""
        self._reset_state()

    @property
    def position_ms(self) -> int:
        """Milliseconds of audio fed so far (whole frames plus the pending partial frame)."""
        return self._frames_done * FRAME_MS + (len(self._pending) // 2) * 1000 // SAMPLE_RATE

    @property
    def trailing_silence_ms(self) -> int:
        """Milliseconds of unvoiced audio at the end of what was fed."""
        return self._silent_run * FRAME_MS

    def feed(self, pcm16: bytes) -> list[VadEvent]:
        data = self._pending + pcm16
        whole = len(data) // FRAME_BYTES * FRAME_BYTES
        self._pending = data[whole:]
        if not whole:
            return []
        events: list[VadEvent] = []
        level_needed = threshold_to_dbfs(self.threshold)
        for level in frame_levels_dbfs(data[:whole]):
            event = self._step(bool(level >= level_needed))
            self._frames_done += 1
            if event:
                events.append(event)
        return events

    def _step(self, voiced: bool) -> VadEvent | None:
        frame = self._frames_done
        if voiced:
            self._silent_run = 0
            self._last_voiced_end_frame = frame + 1
            if self.in_speech:
                return None
            self._voiced_run += 1
            if self._voiced_run * FRAME_MS < max(self.min_speech_ms, FRAME_MS):
                return None
            self.in_speech = True
            first_voiced = frame + 1 - self._voiced_run
            self._voiced_run = 0
            return VadEvent("speech_started", max(0, first_voiced * FRAME_MS - self.prefix_padding_ms))
        self._silent_run += 1
        self._voiced_run = 0
        if self.in_speech and self._silent_run * FRAME_MS >= max(self.silence_duration_ms, FRAME_MS):
            self.in_speech = False
            return VadEvent("speech_stopped", self._last_voiced_end_frame * FRAME_MS)
        return None

    def idle_timeout_reached(self, elapsed_silence_ms: float) -> bool:
        """True when `idle_timeout_ms` is set, no speech is in progress, and that much silence has passed."""
        return (
            self.idle_timeout_ms is not None
            and not self.in_speech
            and elapsed_silence_ms >= self.idle_timeout_ms
        )

    def ms_until_idle_timeout(self, elapsed_silence_ms: float) -> float | None:
        """How long until the idle timeout fires (0 when due), or None when it cannot fire."""
        if self.idle_timeout_ms is None or self.in_speech:
            return None
        return max(0.0, self.idle_timeout_ms - elapsed_silence_ms)
