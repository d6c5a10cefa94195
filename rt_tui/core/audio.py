"""AudioEngine: microphone → 20 ms pcm16 chunks; assistant audio → jitter buffer → speaker.

pcm16 mono 24 kHz on both sides. PortAudio runs the stream callbacks on its own threads:
* the mic callback hands each 20 ms chunk (960 bytes) to `on_mic_chunk` on that thread (the
  worker's `append_audio` is thread-safe; anything else must hop threads itself);
* the speaker callback pulls from the jitter buffer and counts, per item, exactly how many samples it
  wrote to the device, noting when the device will play each block (PortAudio's DAC time).
`flush()` (barge-in) drops everything not yet written, then aborts the output stream, which discards what
the device still held (measured through PulseAudio: silence ≈ 0–10 ms after the call instead of the whole
buffer, ≈ 45 ms), and restarts it. The samples the device dropped are taken off the item's count, so
`played_ms` is what the user heard — the value for `conversation.item.truncate.audio_end_ms`. Later audio
of a flushed item is ignored.
Speaker buffering (`output_latency`): "auto" starts at 40 ms and, after an underrun that cut into
assistant audio, reopens the stream with the next larger buffer once the speaker is idle (never mid-reply;
never lowered while open). Since barge-in no longer waits for the buffer, a larger one only delays the
start of a reply. "low"/"high" (PortAudio's device defaults) or seconds fix it.
Muted or half-duplex-gated microphone blocks are sent as silence, so server VAD still sees time pass.
A device that refuses 24 kHz runs at its default rate with streaming resampling.
Any failure to open becomes `AudioUnavailable(reason)`; `problem` reports a stream that died later.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rt_tui.core.devices import SAMPLE_RATE, AudioUnavailable, Kind, load_sounddevice, one_line, resolve_device, supports
from rt_tui.core.resample import LinearResampler

BLOCK_MS = 20  # microphone chunks (one input_audio_buffer.append each)
BLOCK_SAMPLES = SAMPLE_RATE * BLOCK_MS // 1000
# Speaker blocks are shorter than mic blocks: a flush takes effect at the next block, so 10 ms blocks
# keep that part of barge-in delay small, at 100 callbacks/s (still cheap).
OUTPUT_BLOCK_MS = 10
# Device buffering requested from PortAudio. Python callbacks share the GIL with the app (UI, SDK), so
# slack avoids gaps when the process is busy ("low" = 20 ms on PulseAudio underran under load). Barge-in
# aborts the stream, so the buffer only delays the start of a reply (target: first sample heard ≤ 60 ms).
OUTPUT_LATENCY_S = 0.04
AUTO_OUTPUT_LATENCIES_S = (0.04, 0.06, 0.08, 0.12)  # "auto" steps up through these after underruns
INPUT_LATENCY_S = 0.08
ECHO_TAIL_S = 0.15  # half-duplex keeps the mic gated this long after the last assistant sample
STALL_S = 1.0  # a running stream without callbacks for this long has lost its device

__all__ = ["AudioEngine", "AudioUnavailable", "Levels", "BLOCK_MS", "SAMPLE_RATE"]


@dataclass
class Levels:
    """Latest block's level, 0..1 of full scale. Plain floats: safe to read from any thread."""

    rms: float = 0.0
    peak: float = 0.0

    def update(self, samples: np.ndarray) -> None:
        if len(samples) == 0:
            self.rms = self.peak = 0.0
            return
        x = samples.astype(np.float32)  # a dot product and min/max: a few µs per block, no temporaries
        self.rms = float(np.sqrt(np.dot(x, x) / len(x))) / 32768.0
        self.peak = max(float(x.max()), -float(x.min())) / 32768.0


class AudioEngine:
    def __init__(
        self,
        on_mic_chunk: Callable[[bytes], None] | None = None,
        input_device: int | str | None = None,
        output_device: int | str | None = None,
        half_duplex: bool = False,
        prebuffer_ms: int = 0,
        output_block_ms: int = OUTPUT_BLOCK_MS,
        output_latency: float | str = "auto",
        input_latency: float | str = INPUT_LATENCY_S,
        device_rate: int | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.on_mic_chunk = on_mic_chunk
        self.input_device = input_device
        self.output_device = output_device
        self.half_duplex = half_duplex
        self.prebuffer_ms = prebuffer_ms
        self.output_block_ms = output_block_ms
        self.output_latency = output_latency
        self.input_latency = input_latency
        self.overflows = 0  # microphone blocks PortAudio reported as overflowed (audio lost)
        self.underruns = 0  # speaker blocks PortAudio reported as underflowed (audible gaps)
        self.audible_underruns = 0  # of those, the ones that cut into assistant audio
        self.latency_raises = 0  # times "auto" reopened the speaker with a larger buffer
        self._auto_step = 0
        self._raise_pending = False
        self._reopen_pending = False  # the buffering setting changed while audio played
        self._restarting = False  # flush() is aborting and restarting the speaker
        self._device_lock = threading.RLock()  # output stream open/abort/close
        # (DAC time of the first sample, item_id, samples) of recently written assistant audio, for flush()
        self._written: deque[tuple[float, str, int]] = deque(maxlen=512)
        self.forced_device_rate = device_rate  # e.g. 48000 to exercise resampling on any device
        self.on_problem = on_problem
        self.mic_muted = False
        self.volume = 1.0
        self.mic_level = Levels()
        self.speaker_level = Levels()
        self.problem: str | None = None
        self._lock = threading.Lock()
        self._queue: deque[tuple[str, np.ndarray]] = deque()  # (item_id, samples at the output rate)
        self._queued_samples = 0
        self._played: dict[str, int] = {}  # item_id → output-rate samples written to the device
        self._discarded: set[str] = set()
        self._current_item: str | None = None
        self._last_audio_out = 0.0
        self._first_queued_at: float | None = None
        self._out_resamplers: dict[str, LinearResampler] = {}
        self._in_resampler: LinearResampler | None = None
        self._mic_pending = np.zeros(0, dtype=np.int16)
        self._input: Any = None
        self._output: Any = None
        self.input_rate = SAMPLE_RATE
        self.output_rate = SAMPLE_RATE
        self.input_name = ""
        self.output_name = ""
        self._last_callback = {"input": 0.0, "output": 0.0}
        # Timing probes for benchmarks: when the latest burst of assistant audio (after a silent block)
        # started to be written, and a hook told (time, wrote_audio) after every speaker block.
        self.burst_started_at: float | None = None
        self._previous_block_had_audio = False
        self.on_output_block: Callable[[float, bool], None] | None = None

    # ---------------------------------------------------------------- lifecycle

    def start(self, microphone: bool = True, speaker: bool = True) -> None:
        """Open and start the streams. Raises AudioUnavailable with a one-line reason.

        A stream that opened stays open when the other fails (speaker without a microphone is useful).
        """
        if speaker and self._output is None:
            self._output = self._open("output")
        if microphone and self._input is None:
            self._input = self._open("input")

    def start_microphone(self) -> None:
        self.start(microphone=True, speaker=False)

    def stop_microphone(self) -> None:
        stream, self._input = self._input, None
        _close(stream)
        self.mic_level.update(np.zeros(0))

    def stop(self) -> None:
        """Close both streams. Also the way to recover after a `problem`: stop, then start again."""
        self.stop_microphone()
        with self._device_lock:
            stream, self._output = self._output, None
            _close(stream)
        self.speaker_level.update(np.zeros(0))
        self.problem = None

    @property
    def microphone_open(self) -> bool:
        return self._input is not None

    @property
    def speaker_open(self) -> bool:
        return self._output is not None

    @property
    def requested_output_latency(self) -> float | str:
        """What the next output stream asks PortAudio for ("auto" resolved to its current step)."""
        if self.output_latency == "auto":
            return AUTO_OUTPUT_LATENCIES_S[self._auto_step]
        return self.output_latency

    @property
    def output_latency_s(self) -> float:
        """PortAudio's estimate of the time from writing a sample to hearing it (0 when closed)."""
        return float(getattr(self._output, "latency", 0.0) or 0.0)

    def _open(self, kind: Kind) -> Any:
        sd = load_sounddevice()
        device = resolve_device(self.input_device if kind == "input" else self.output_device, kind)
        rate = self._choose_rate(sd, device.index, kind, device.default_samplerate)
        blocksize = round(rate * (BLOCK_MS if kind == "input" else self.output_block_ms) / 1000)
        stream_class = sd.RawInputStream if kind == "input" else sd.RawOutputStream
        callback = self._input_callback if kind == "input" else self._output_callback
        opened: list[Any] = []  # the finished callback ignores streams that are no longer the current one
        try:
            stream = stream_class(
                samplerate=rate,
                blocksize=blocksize,
                device=device.index,
                channels=1,
                dtype="int16",
                latency=self.requested_output_latency if kind == "output" else self.input_latency,
                callback=callback,
                finished_callback=lambda: self._finished(kind, opened),
            )
            opened.append(stream)
            self._last_callback[kind] = time.monotonic()
            stream.start()
        except Exception as exc:
            raise AudioUnavailable(f"cannot open the {kind} device '{device.name}': {one_line(exc)}") from exc
        if kind == "input":
            self.input_rate, self.input_name = rate, device.name
            self._in_resampler = LinearResampler(rate, SAMPLE_RATE) if rate != SAMPLE_RATE else None
            self._mic_pending = np.zeros(0, dtype=np.int16)
        else:
            self.output_rate, self.output_name = rate, device.name
            self._written.clear()
        return stream

    def _choose_rate(self, sd: Any, index: int, kind: Kind, default_rate: float) -> int:
        candidates = [self.forced_device_rate] if self.forced_device_rate else [SAMPLE_RATE, int(default_rate)]
        for rate in candidates:
            if supports(sd, index, kind, rate):
                return int(rate)
        tried = " or ".join(f"{r} Hz" for r in dict.fromkeys(candidates))
        raise AudioUnavailable(f"the {kind} device refuses mono 16-bit audio at {tried}")

    def _finished(self, kind: Kind, opened: list[Any]) -> None:
        stream = self._input if kind == "input" else self._output
        if kind == "output" and self._restarting:
            return  # flush() aborted it on purpose
        if stream is not None and opened and stream is opened[0]:  # finished without stop(): the device went away or failed
            self._report(f"the {kind} audio stream stopped unexpectedly; text chat still works")

    def _report(self, problem: str) -> None:
        if self.problem is None:
            self.problem = problem
            if self.on_problem:
                self.on_problem(problem)

    def check(self) -> str | None:
        """Detect a stream whose device disappeared (no callbacks); cheap, call it with the meters."""
        now = time.monotonic()
        for kind, stream in (("input", self._input), ("output", self._output)):
            if stream is not None and now - self._last_callback[kind] > STALL_S:
                self._report(f"the {kind} audio device stopped responding; text chat still works")
        return self.problem

    # ---------------------------------------------------------------- microphone

    def _input_callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        self._last_callback["input"] = time.monotonic()
        if status and status.input_overflow:
            self.overflows += 1
        samples = np.frombuffer(indata, dtype="<i2")
        if self._in_resampler is not None:
            samples = self._in_resampler.process(samples)
        gated = self.mic_muted or (self.half_duplex and self.is_playing)
        if gated:
            samples = np.zeros(len(samples), dtype=np.int16)
        self.mic_level.update(samples)
        pending = np.concatenate([self._mic_pending, samples]) if len(self._mic_pending) else samples
        whole = len(pending) // BLOCK_SAMPLES * BLOCK_SAMPLES
        self._mic_pending = pending[whole:].copy()
        if self.on_mic_chunk is None:
            return
        for start in range(0, whole, BLOCK_SAMPLES):
            self.on_mic_chunk(pending[start : start + BLOCK_SAMPLES].astype("<i2").tobytes())

    # ---------------------------------------------------------------- speaker

    def play(self, item_id: str, pcm16: bytes) -> None:
        """Queue assistant audio (pcm16 24 kHz) of `item_id` behind what is already queued."""
        if not pcm16 or item_id in self._discarded:
            return
        if (self._raise_pending or self._reopen_pending) and not self.is_playing:
            self._reopen_output()  # e.g. "auto" after an underrun: a larger buffer before this reply starts
        samples = np.frombuffer(pcm16[: len(pcm16) // 2 * 2], dtype="<i2")
        if self.output_rate != SAMPLE_RATE:
            resampler = self._out_resamplers.setdefault(item_id, LinearResampler(SAMPLE_RATE, self.output_rate))
            samples = resampler.process(samples)
        with self._lock:
            if item_id in self._discarded:
                return
            if self._queued_samples == 0 and self._first_queued_at is None:
                self._first_queued_at = time.monotonic()
            self._queue.append((item_id, samples))
            self._queued_samples += len(samples)
            self._played.setdefault(item_id, 0)

    def _output_callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        now = time.monotonic()
        self._last_callback["output"] = now
        out = np.frombuffer(outdata, dtype="<i2")  # written in place: no per-block copies
        dac = time_info.outputBufferDacTime or time_info.currentTime + self.output_latency_s
        filled = 0
        with self._lock:
            if status and status.output_underflow:
                self.underruns += 1
                if self._previous_block_had_audio or self._queue:
                    self.audible_underruns += 1
                    if self.output_latency == "auto" and self._auto_step + 1 < len(AUTO_OUTPUT_LATENCIES_S):
                        self._raise_pending = True
            if self._ready(now):
                while filled < frames and self._queue:
                    item_id, samples = self._queue[0]
                    take = min(frames - filled, len(samples))
                    out[filled : filled + take] = samples[:take]
                    self._written.append((dac + filled / self.output_rate, item_id, take))
                    filled += take
                    self._played[item_id] = self._played.get(item_id, 0) + take
                    self._queued_samples -= take
                    self._current_item = item_id
                    if take == len(samples):
                        self._queue.popleft()
                    else:
                        self._queue[0] = (item_id, samples[take:])
            out[filled:] = 0
            if filled:
                self._last_audio_out = now
                if not self._previous_block_had_audio:
                    self.burst_started_at = now
            self._previous_block_had_audio = filled > 0
            if not self._queue:
                self._first_queued_at = None
        if filled and self.volume != 1.0:
            out[:filled] = np.clip(out[:filled] * self.volume, -32768, 32767)
        self.speaker_level.update(out)
        if self.on_output_block is not None:
            self.on_output_block(now, filled > 0)

    def _ready(self, now: float) -> bool:
        """Jitter buffer: at the start of a burst wait for prebuffer_ms of audio (or that long)."""
        if not self._queue:
            return False
        if self.prebuffer_ms <= 0 or now - self._last_audio_out < 0.1:
            return True
        enough = self._queued_samples >= self.output_rate * self.prebuffer_ms / 1000
        waited = self._first_queued_at is not None and now - self._first_queued_at >= self.prebuffer_ms / 1000
        return enough or waited

    @property
    def is_playing(self) -> bool:
        """Assistant audio is queued, or was written within the echo tail."""
        return self._queued_samples > 0 or time.monotonic() - self._last_audio_out < ECHO_TAIL_S

    @property
    def buffered_ms(self) -> float:
        return self._queued_samples * 1000 / self.output_rate

    def played_ms(self, item_id: str) -> int:
        """Milliseconds of `item_id` written to the output device so far (after a flush: the part heard)."""
        with self._lock:
            samples = self._played.get(item_id, 0)
        return samples * 1000 // self.output_rate

    def flush(self) -> tuple[str, int] | None:
        """Silence output now: drop all queued audio and what the device still holds. Returns the
        interrupted item and the ms of it that were heard.

        None when nothing was playing (no queued audio and nothing written within the echo tail).
        """
        with self._lock:
            was_playing = self._queued_samples > 0 or time.monotonic() - self._last_audio_out < ECHO_TAIL_S
            queued_items = [item_id for item_id, _ in self._queue]
            self._queue.clear()
            self._queued_samples = 0
            self._first_queued_at = None
            interrupted = queued_items[0] if queued_items else self._current_item
            if not was_playing or interrupted is None:
                return None
            self._discarded.update(queued_items)
            self._discarded.add(interrupted)
        self._drop_device_buffer()
        return interrupted, self.played_ms(interrupted)

    def _drop_device_buffer(self) -> None:
        """Abort the speaker (its buffered samples are discarded, not played), uncount them, restart."""
        with self._device_lock:
            stream = self._output
            if stream is None:
                return
            self._restarting = True
            try:
                stream.abort()
                aborted_at = stream.time  # the clock of the callback's DAC times
            except Exception as exc:
                self._report(f"the output audio stream failed: {one_line(exc)}; text chat still works")
                return
            finally:
                self._restarting = False
            with self._lock:
                for starts_at, item_id, samples in self._written:
                    heard = min(max(round((aborted_at - starts_at) * self.output_rate), 0), samples)
                    self._played[item_id] = self._played.get(item_id, 0) - (samples - heard)
                self._written.clear()
                self._previous_block_had_audio = False
            if self._raise_pending or self._reopen_pending:
                self._reopen_output()
                return
            try:
                stream.start()
            except Exception as exc:
                self._report(f"the output audio stream could not restart: {one_line(exc)}; text chat still works")

    def set_output_latency(self, value: float | str) -> None:
        """"auto", "low", "high" or seconds; applies now if the speaker is silent, else once it is."""
        with self._device_lock:
            self.output_latency = value
            self._auto_step = 0
            self._raise_pending = False
            self._reopen_pending = self._output is not None
        if self._reopen_pending and not self.is_playing:
            self._reopen_output()

    def _reopen_output(self) -> None:
        """Close the speaker and open it with the requested buffering ("auto" after an underrun: one step
        larger). Only while it is silent."""
        with self._device_lock:
            if self._raise_pending:
                self._auto_step = min(self._auto_step + 1, len(AUTO_OUTPUT_LATENCIES_S) - 1)
                self.latency_raises += 1
            self._raise_pending = self._reopen_pending = False
            stream, self._output = self._output, None
            if stream is None:
                return
            _close(stream, abort=True)
            try:
                self._output = self._open("output")
            except AudioUnavailable as exc:
                self._report(exc.reason)


def _close(stream: Any, abort: bool = False) -> None:
    if stream is None:
        return
    try:
        stream.abort() if abort else stream.stop()
        stream.close()
    except Exception:  # closing a stream whose device vanished may fail; it is gone either way
        pass
