"""synthesize(): pcm16 24 kHz speech from espeak-ng, or the deterministic stand-in."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from rt_tui.emulator.vad import ServerVad
from rt_tui.emulator.voice import espeak_available, synthesize

SHORT = "Hello there."
LONG = "Hello there. The weather today is sunny with a light breeze, and it will stay warm until the evening."


def seconds(pcm16: bytes) -> float:
    return len(pcm16) / 2 / 24_000


def rms_dbfs(pcm16: bytes) -> float:
    x = np.frombuffer(pcm16, dtype="<i2").astype(np.float64) / 32768
    return 10 * np.log10(np.mean(x * x))


@pytest.mark.parametrize("use_espeak", [False, pytest.param(True, marks=pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed"))])
def test_length_follows_the_text_and_it_sounds_like_speech_to_the_vad(use_espeak):
    short, long = synthesize(SHORT, use_espeak=use_espeak), synthesize(LONG, use_espeak=use_espeak)
    assert len(short) % 2 == 0 and len(long) % 2 == 0
    assert 0.4 < seconds(short) < 2.0
    assert 4.0 < seconds(long) < 10.0
    assert -35 < rms_dbfs(long) < -5
    events = ServerVad(silence_duration_ms=500).feed(long + bytes(48_000))
    assert events and events[0].kind == "speech_started" and events[-1].kind == "speech_stopped"


def test_espeak_output_is_resampled_from_its_native_rate_to_24_khz():
    if not espeak_available():
        pytest.skip("espeak-ng is not installed")
    text = "Testing the sample rate"
    native = subprocess.run(["espeak-ng", "-v", "en-us+f3", "--stdout", text], capture_output=True, check=True).stdout
    rate = int.from_bytes(native[24:28], "little")
    native_samples = (len(native) - 44) // 2
    assert rate != 24_000
    ours = len(synthesize(text, "marin", use_espeak=True)) // 2
    assert ours == pytest.approx(native_samples * 24_000 / rate, abs=2)


def test_fallback_is_deterministic_and_differs_by_text_and_voice():
    a = synthesize(LONG, "marin", use_espeak=False)
    assert a == synthesize(LONG, "marin", use_espeak=False)
    assert a != synthesize(LONG, "cedar", use_espeak=False)
    assert a != synthesize(LONG + " Yes.", "marin", use_espeak=False)


def test_cached_by_text_and_voice():
    first = synthesize("Caching check one two", "sage")
    assert synthesize("Caching check one two", "sage") is first


def test_empty_text_is_silent_and_unknown_voice_still_speaks():
    assert synthesize("   ") == b""
    assert seconds(synthesize(SHORT, "no-such-voice")) > 0.4
