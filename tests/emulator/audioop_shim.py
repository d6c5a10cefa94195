"""Reference G.711 encoding for tests: the standard library's audioop (deprecated, still in 3.11/3.12)."""

from __future__ import annotations

import warnings

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import audioop
    except ImportError:  # Python 3.13+: fall back to the emulator's own codec
        audioop = None


def encode(pcm24k: bytes, format_type: str) -> bytes:
    samples = np.frombuffer(pcm24k, dtype="<i2")[::3].astype("<i2").tobytes()
    if audioop is None:
        from rt_tui.emulator.codec import from_pcm24k

        return from_pcm24k(pcm24k, format_type)
    return audioop.lin2ulaw(samples, 2) if format_type == "audio/pcmu" else audioop.lin2alaw(samples, 2)
