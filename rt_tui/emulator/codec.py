"""Session audio formats at the wire edge: pcm16 24 kHz inside, G.711 μ-law / A-law 8 kHz on the wire
when the session asks for `audio/pcmu` / `audio/pcma` (beta `g711_ulaw` / `g711_alaw`)."""

from __future__ import annotations

import numpy as np

_BIAS = 0x84


def _ulaw_encode(samples: np.ndarray) -> np.ndarray:
    s = samples.astype(np.int32) >> 2  # 14-bit, as the G.711 reference code
    negative = s < 0
    magnitude = np.minimum(np.where(negative, -s, s), 8159) + 0x21
    segment = np.maximum(np.floor(np.log2(magnitude)).astype(np.int32) - 5, 0)
    code = np.where(segment > 7, 0x7F, (np.minimum(segment, 7) << 4) | ((magnitude >> (segment + 1)) & 0x0F))
    return (code ^ np.where(negative, 0x7F, 0xFF)).astype(np.uint8)


def _ulaw_decode(codes: np.ndarray) -> np.ndarray:
    u = ~codes.astype(np.int32) & 0xFF
    exponent = (u >> 4) & 0x07
    magnitude = (((u & 0x0F) << 3) + _BIAS) << exponent
    return np.where(u & 0x80, _BIAS - magnitude, magnitude - _BIAS).astype(np.int16)


def _alaw_encode(samples: np.ndarray) -> np.ndarray:
    s = samples.astype(np.int32) >> 3  # 13-bit
    sign = np.where(s >= 0, 0x80, 0)
    magnitude = np.minimum(np.where(s < 0, -s - 1, s), 0x0FFF)
    exponent = np.where(magnitude < 32, 0, np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32) - 4)
    mantissa = np.where(exponent == 0, magnitude >> 1, magnitude >> exponent) & 0x0F
    return ((sign | (exponent << 4) | mantissa) ^ 0x55).astype(np.uint8)


def _alaw_decode(codes: np.ndarray) -> np.ndarray:
    a = codes.astype(np.int32) ^ 0x55
    exponent = (a >> 4) & 0x07
    mantissa = a & 0x0F
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0))
    return np.where(a & 0x80, magnitude, -magnitude).astype(np.int16)


def bytes_per_ms(format_type: str) -> int:
    return 48 if format_type == "audio/pcm" else 8


def to_pcm24k(data: bytes, format_type: str) -> bytes:
    """Wire input audio → pcm16 24 kHz (G.711 decoded, 8 kHz samples repeated ×3)."""
    if format_type == "audio/pcm":
        return data
    codes = np.frombuffer(data, dtype=np.uint8)
    samples = _ulaw_decode(codes) if format_type == "audio/pcmu" else _alaw_decode(codes)
    return np.repeat(samples, 3).astype("<i2").tobytes()


def from_pcm24k(pcm: bytes, format_type: str) -> bytes:
    """pcm16 24 kHz → wire output audio (every third sample, G.711 encoded)."""
    if format_type == "audio/pcm":
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2")[::3]
    codes = _ulaw_encode(samples) if format_type == "audio/pcmu" else _alaw_encode(samples)
    return codes.tobytes()
