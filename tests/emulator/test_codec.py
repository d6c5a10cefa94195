"""G.711 against the standard library's reference implementation (audioop, Python ≤ 3.12)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rt_tui.emulator import codec

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    audioop = pytest.importorskip("audioop")

ALL_SAMPLES = np.arange(-32768, 32768, dtype=np.int16)
ALL_CODES = np.arange(256, dtype=np.uint8)


@pytest.mark.parametrize("law", ["ulaw", "alaw"])
def test_encode_and_decode_match_the_reference_for_every_value(law):
    encode = codec._ulaw_encode if law == "ulaw" else codec._alaw_encode
    decode = codec._ulaw_decode if law == "ulaw" else codec._alaw_decode
    pcm = ALL_SAMPLES.astype("<i2").tobytes()
    assert encode(ALL_SAMPLES).tobytes() == getattr(audioop, f"lin2{law}")(pcm, 2)
    assert decode(ALL_CODES).astype("<i2").tobytes() == getattr(audioop, f"{law}2lin")(ALL_CODES.tobytes(), 2)


def test_round_trip_keeps_length_in_ms():
    pcm = (np.sin(np.arange(2400) / 10) * 8000).astype("<i2").tobytes()  # 100 ms
    wire = codec.from_pcm24k(pcm, "audio/pcmu")
    assert len(wire) == 800 and len(codec.to_pcm24k(wire, "audio/pcmu")) == len(pcm)
    assert codec.to_pcm24k(pcm, "audio/pcm") == pcm
