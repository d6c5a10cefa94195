"""Synthetic pcm16 24 kHz signals for VAD tests."""

from __future__ import annotations

import base64

import numpy as np

RATE = 24_000


def tone(ms: int, amplitude: float = 0.3, freq: float = 220.0) -> bytes:
    t = np.arange(RATE * ms // 1000) / RATE
    return (amplitude * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2").tobytes()


def silence(ms: int) -> bytes:
    return b"\x00\x00" * (RATE * ms // 1000)


def noise(ms: int, dbfs: float = -60.0, seed: int = 1) -> bytes:
    rms = 32768 * 10 ** (dbfs / 20)
    return np.random.default_rng(seed).normal(0, rms, RATE * ms // 1000).clip(-32768, 32767).astype("<i2").tobytes()


def chunks_b64(pcm: bytes, ms: int = 20) -> list[str]:
    size = RATE * 2 * ms // 1000
    return [base64.b64encode(pcm[i:i + size]).decode() for i in range(0, len(pcm), size)]
