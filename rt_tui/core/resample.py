"""Streaming linear-interpolation resampler for int16 mono audio (for devices that refuse 24 kHz).

Linear interpolation is enough for speech at these rates and costs almost nothing per block; state
carries across chunks so a stream resampled in pieces equals the stream resampled at once.
"""

from __future__ import annotations

import numpy as np


class LinearResampler:
    def __init__(self, rate_in: int, rate_out: int) -> None:
        self.rate_in = rate_in
        self.rate_out = rate_out
        self._step = rate_in / rate_out
        self._next_pos = 0.0  # position of the next output sample, relative to the first buffered input
        self._carry = np.zeros(0, dtype=np.float64)  # last input sample(s) still needed for interpolation

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Feed int16 samples at rate_in; get int16 samples at rate_out (count varies per call)."""
        if self.rate_in == self.rate_out:
            return samples.astype(np.int16, copy=False)
        data = np.concatenate([self._carry, samples.astype(np.float64)])
        if len(data) < 2:
            self._carry = data
            return np.zeros(0, dtype=np.int16)
        last_usable = len(data) - 1  # interpolation at pos needs data[floor(pos) + 1]
        count = max(0, int(np.ceil((last_usable - self._next_pos) / self._step)))
        positions = self._next_pos + np.arange(count) * self._step
        out = np.interp(positions, np.arange(len(data)), data)
        next_pos = self._next_pos + count * self._step
        keep_from = min(int(np.floor(next_pos)), len(data))
        self._carry = data[keep_from:]
        self._next_pos = next_pos - keep_from
        return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def resample_pcm16(pcm16: bytes, rate_in: int, rate_out: int) -> bytes:
    """One-shot conversion of a whole pcm16 buffer."""
    samples = np.frombuffer(pcm16, dtype="<i2")
    resampler = LinearResampler(rate_in, rate_out)
    return resampler.process(np.concatenate([samples, samples[-1:]])).astype("<i2").tobytes()
