"""Helpers for tests that play into the virtual microphone and record the virtual speaker."""

from __future__ import annotations

import shutil
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from audio_tool import TOOL

RATE = 24_000


def say(text: str, path: Path) -> np.ndarray:
    """espeak-ng speech as a 24 kHz WAV file (virtual-audio say); returns its samples."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are needed to speak into the virtual microphone (tools/virtual-audio install)")
    subprocess.run([str(TOOL), "say", text, str(path)], check=True, capture_output=True, timeout=30)
    return read_wav(path)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == RATE and wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").copy()


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.astype("<i2").tobytes())
    return path


def play_mic(path: Path) -> None:
    """Play a WAV into the virtual microphone in real time; returns when it has been played."""
    subprocess.run([str(TOOL), "play-mic", str(path)], check=True, capture_output=True, timeout=60)


def play_mic_background(path: Path) -> subprocess.Popen:
    return subprocess.Popen([str(TOOL), "play-mic", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def find_offset(haystack: np.ndarray, needle: np.ndarray) -> tuple[int, float]:
    """Sample offset where `needle` best matches inside `haystack`, and the normalised correlation there."""
    h = haystack.astype(np.float64)
    n = needle.astype(np.float64)
    size = 1 << int(np.ceil(np.log2(len(h) + len(n))))
    corr = np.fft.irfft(np.fft.rfft(h, size) * np.conj(np.fft.rfft(n, size)), size)[: len(h) - len(n) + 1]
    offset = int(np.argmax(corr))
    segment = h[offset : offset + len(n)]
    norm = np.linalg.norm(segment) * np.linalg.norm(n)
    return offset, float(corr[offset] / norm) if norm else 0.0


def longest_zero_run(samples: np.ndarray) -> int:
    """Length of the longest run of exact zeros (a dropout in bit-exact playback)."""
    zero = np.concatenate([[0], (samples == 0).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(zero))
    runs = edges[1::2] - edges[::2]
    return int(runs.max()) if len(runs) else 0


def nonzero_span(samples: np.ndarray, level: int = 0) -> tuple[int, int]:
    idx = np.flatnonzero(np.abs(samples.astype(np.int32)) > level)
    return (int(idx[0]), int(idx[-1]) + 1) if len(idx) else (0, 0)


def align_segments(recording: np.ndarray, sent: np.ndarray, start: int, segment: int = RATE // 2,
                   search: int = RATE // 10) -> list[tuple[int, int, float]]:
    """Follow `sent` through `recording` piece by piece, starting near sample `start`.

    Returns (position in sent, position in the recording, correlation) per `segment`-long piece. A gap
    inserted by a dropout shows as a jump of the recording position against the sent position.
    """
    pieces = []
    shift = start
    for at in range(0, len(sent) - segment + 1, segment):
        lo = max(0, shift + at - search)
        window = recording[lo : shift + at + segment + search]
        if len(window) < segment:
            break
        found, correlation = find_offset(window, sent[at : at + segment])
        shift = lo + found - at
        pieces.append((at, lo + found, correlation))
    return pieces


def largest_jump(pieces: list[tuple[int, int, float]]) -> int:
    """The largest shift, in samples, between consecutive pieces (0 when playback had no gaps)."""
    shifts = [rec - at for at, rec, _ in pieces]
    return max((abs(b - a) for a, b in zip(shifts, shifts[1:])), default=0)


class SpeakerTap:
    """Records the virtual speaker (parec on vspeaker.monitor) from start until `stop()`; for replies of
    unknown length. Needs the virtual_audio fixture's environment (PULSE_SERVER etc.)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "wb")
        self._proc = subprocess.Popen(
            ["parec", "--raw", "-d", "vspeaker.monitor", f"--rate={RATE}", "--channels=1", "--format=s16le",
             "--latency-msec=20", "--client-name=rt-tui-test-tap"],
            stdout=self._file, stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout: float = 10.0) -> SpeakerTap:
        """Block until parec delivers audio (the monitor streams silence continuously)."""
        deadline = time.monotonic() + timeout
        while self.path.stat().st_size == 0:
            assert self._proc.poll() is None, "parec exited"
            assert time.monotonic() < deadline, "parec delivered nothing"
            time.sleep(0.01)
        return self

    def stop(self) -> np.ndarray:
        self.close()
        err = self._proc.stderr.read() if self._proc.stderr else b""
        data = self.path.read_bytes()
        assert data, f"parec recorded nothing: {err.decode()}"
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").copy()

    def close(self) -> None:
        """Stop recording (idempotent; also the cleanup when a test fails midway)."""
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._file.close()
