"""The emulator's voice: text → pcm16 24 kHz mono.

espeak-ng speaks the text when it is installed (one subprocess per new text, output resampled from its
native 22.05 kHz to 24 kHz). Without it, a deterministic voice-like signal stands in: a harmonic buzz
with one envelope per syllable, pauses between words and longer ones at punctuation, so its length
follows the text like speech does (≈ 13 characters per second). Results are cached by (text, voice).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from functools import lru_cache

import numpy as np

SAMPLE_RATE = 24_000

# Service voice → espeak-ng voice+variant, so different voices sound (a little) different.
ESPEAK_VOICES: dict[str, str] = {
    "marin": "en-us+f3",
    "cedar": "en-us+m3",
    "alloy": "en-us+f2",
    "ash": "en-us+m1",
    "ballad": "en-us+m2",
    "coral": "en-us+f4",
    "echo": "en-us+m4",
    "sage": "en-us+f1",
    "shimmer": "en-us+f5",
    "verse": "en-us+m5",
}
_FEMALE = {"marin", "alloy", "coral", "sage", "shimmer"}


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def synthesize(text: str, voice: str = "marin", use_espeak: bool | None = None) -> bytes:
    """Speech for `text` as pcm16 little-endian 24 kHz mono. Empty text gives b""."""
    if use_espeak is None:
        use_espeak = espeak_available()
    return _synthesize_cached(text, voice, use_espeak)


@lru_cache(maxsize=256)
def _synthesize_cached(text: str, voice: str, use_espeak: bool) -> bytes:
    if not text.strip():
        return b""
    if use_espeak:
        try:
            return _espeak(text, voice)
        except (OSError, subprocess.SubprocessError, ValueError):
            pass  # a broken espeak-ng install must not break the emulator's audio
    return _buzz(text, voice)


def _espeak(text: str, voice: str) -> bytes:
    result = subprocess.run(
        ["espeak-ng", "-v", ESPEAK_VOICES.get(voice, "en-us"), "--stdout"],
        input=text.encode(),
        capture_output=True,
        timeout=30,
        check=True,
    )
    rate, samples = _parse_wav(result.stdout)
    return _resample(samples, rate, SAMPLE_RATE).astype("<i2").tobytes()


def _parse_wav(wav: bytes) -> tuple[int, np.ndarray]:
    """espeak-ng's streamed WAV has placeholder sizes, so read fmt and take everything after `data`."""
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise ValueError("espeak-ng did not produce WAV")
    pos = 12
    rate = 0
    while pos + 8 <= len(wav):
        chunk_id, size = wav[pos : pos + 4], int.from_bytes(wav[pos + 4 : pos + 8], "little")
        if chunk_id == b"fmt ":
            rate = int.from_bytes(wav[pos + 12 : pos + 16], "little")
        if chunk_id == b"data":
            body = wav[pos + 8 :]
            return rate, np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2")
        pos += 8 + size
    raise ValueError("no data chunk in espeak-ng output")


def _resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    if rate_in == rate_out or len(samples) == 0:
        return samples.astype(np.int16)
    n_out = int(round(len(samples) * rate_out / rate_in))
    positions = np.arange(n_out) * (rate_in / rate_out)
    resampled = np.interp(positions, np.arange(len(samples)), samples.astype(np.float64))
    return np.clip(np.round(resampled), -32768, 32767).astype(np.int16)


_SYLLABLE = re.compile(r"[aeiouy]+", re.IGNORECASE)


def _buzz(text: str, voice: str) -> bytes:
    """Voice-like stand-in: each syllable a ~145 ms harmonic buzz with a smooth envelope."""
    rng = np.random.default_rng(zlib.crc32(f"{voice}\0{text}".encode()))
    base_hz = 200.0 if voice in _FEMALE else 120.0
    pieces: list[np.ndarray] = []
    for token in re.findall(r"[\w']+|[.,;:!?]", text):
        if token in ".!?":
            pieces.append(np.zeros(int(0.3 * SAMPLE_RATE)))
            continue
        if token in ",;:":
            pieces.append(np.zeros(int(0.15 * SAMPLE_RATE)))
            continue
        syllables = max(1, len(_SYLLABLE.findall(token)), len(token) // 4)
        for _ in range(syllables):
            pieces.append(_syllable(base_hz * rng.uniform(0.85, 1.2), rng.uniform(0.12, 0.17)))
        pieces.append(np.zeros(int(0.05 * SAMPLE_RATE)))
    if not pieces:
        return b""
    signal = np.concatenate(pieces)
    return (signal * 32767 * 0.3).astype("<i2").tobytes()


def _syllable(pitch_hz: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = pitch_hz * (1.0 - 0.15 * t / seconds)  # falling pitch, as at the end of a syllable
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    buzz = sum(np.sin(k * phase) / k for k in range(1, 8)) / 1.6
    envelope = np.sin(np.pi * t / seconds) ** 2
    return buzz * envelope
