"""Voice latencies and CPU of the app's audio path, on the virtual PulseAudio. Prints figures.

    .venv/bin/python benchmarks/audio_latency.py [--rounds N] [--output-latency auto|low|high|MS] [--stall-ms MS]

Starts its own virtual sound system (tools/virtual-audio) and an emulator in a separate process
(`rt-tui emulator`), so the CPU figure is the app side only: RealtimeWorker (real openai SDK),
VoiceLoop and AudioEngine. Measured, per round of a spoken reply interrupted by speech in the mic:

* speech_started received → silence heard. Target ≤ 30 ms. Measured on the speaker's monitor
  (vspeaker.monitor, recorded by a separate process that notes when each piece arrives): a sample's
  arrival time minus the samples after it bounds when it was played; the smallest such offset over
  the recording times the whole recording. Also: how long the barge-in call (abort + restart of the
  speaker) held the event loop, and speaker underruns (all / cutting into assistant audio).
* mic block handed out by the input callback → its input_audio_buffer.append sent. Target ≤ 25 ms.
  (The block itself spans 20 ms before the callback sees it.)
* first audio delta received → its first sample written, and + output latency. Target ≤ 60 ms.
* CPU of this process while full duplex (mic appends + reply playing). Target ≤ 10 % of one core.
--stall-ms makes a thread hold the GIL that long twice a second (a long C call, as a busy UI step can),
to see what the speaker buffering does when the callbacks are starved.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOOL = ROOT / "tools" / "virtual-audio"
RATE = 24_000
SILENCE_AFTER_BARGE_IN_S = 0.3  # the reply to the interruption starts later than this


def run_tap(raw_path: str, times_path: str) -> None:
    """Child process: record vspeaker.monitor; write (arrival time, bytes so far) per read."""
    proc = subprocess.Popen(["parec", "--raw", "-d", "vspeaker.monitor", f"--rate={RATE}", "--channels=1",
                             "--format=s16le", "--latency-msec=5"], stdout=subprocess.PIPE)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    total, arrivals = 0, []
    with open(raw_path, "wb") as raw:
        while data := proc.stdout.read1(65536):
            total += len(data)
            arrivals.append(f"{time.monotonic()} {total}\n")
            raw.write(data)
    Path(times_path).write_text("".join(arrivals))


def heard_ms(raw_path: Path, times_path: Path, speech_started: list[float], first_deltas: list[float]
             ) -> tuple[list[float], list[float]]:
    """From the speaker's monitor: for each barge-in, when it went silent (≥ SILENCE_AFTER_BARGE_IN_S of
    zeros); for each first delta of a reply, when its first sample sounded."""
    import numpy as np

    samples = np.frombuffer(raw_path.read_bytes(), dtype="<i2")
    arrivals = np.loadtxt(times_path, ndmin=2)
    offset = float(np.min(arrivals[:, 0] - arrivals[:, 1] / 2 / RATE))  # time of sample 0, at the latest
    sounding = []
    for at in first_deltas:
        start = max(int((at - offset) * RATE), 0)
        nonzero = np.flatnonzero(samples[start:])
        if len(nonzero):
            sounding.append((offset + (start + nonzero[0]) / RATE - at) * 1000)
    quiet = np.concatenate([[False], samples == 0, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    runs = [(a, b) for a, b in zip(edges[::2], edges[1::2]) if b - a >= SILENCE_AFTER_BARGE_IN_S * RATE]
    heard = []
    for at in speech_started:
        index = (at - offset) * RATE
        following = [a for a, b in runs if b > index + 0.01 * RATE]
        if following:
            heard.append((offset + following[0] / RATE - at) * 1000)
    return heard, sounding


def stall_the_gil(milliseconds: float, stop: threading.Event) -> None:
    """sum() over a range runs in C without releasing the GIL: the audio callbacks wait meanwhile."""
    started = time.perf_counter()
    sum(range(200_000))
    items = int(milliseconds / 1000 / ((time.perf_counter() - started) / 200_000))
    while not stop.wait(0.5):
        sum(range(items))


def start_virtual_audio(state_dir: str) -> None:
    out = subprocess.run([str(TOOL), "start", state_dir], capture_output=True, text=True, check=True).stdout
    for name, value in re.findall(r"export (\w+)='([^']*)'", out):
        os.environ[name] = value
    os.environ["PULSE_SOURCE"] = "vmic.monitor"


def start_emulator() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "emulator", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the emulator did not start")
        if match := re.search(r"listening on (\S+)", line):
            return proc, match.group(1)


def summary(values_ms: list[float]) -> str:
    if not values_ms:
        return "no samples"
    ordered = sorted(values_ms)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   max {ordered[-1]:6.1f} ms   (n={len(ordered)})"


async def measure(url: str, rounds: int, speech_wav: Path, output_latency: float | str, state_dir: str,
                  stall_ms: float = 0) -> None:
    from rt_tui.config import resolve_target_for_emulator
    from rt_tui.core.audio import AudioEngine
    from rt_tui.core.connection import RealtimeWorker
    from rt_tui.core.session import SessionConfig
    from rt_tui.core.voice_loop import VoiceLoop

    engine = AudioEngine(output_latency=output_latency)
    arrivals: dict[str, list[float]] = {}
    mic_stamps: list[float] = []
    append_sent: list[float] = []
    barge_ins: list[float] = []
    barge_in_call_ms: list[float] = []
    holder: dict[str, VoiceLoop] = {}

    def on_event(event) -> None:
        now = time.monotonic()
        arrivals.setdefault(event.type, []).append(now)
        if event.direction == "client" and event.type == "input_audio_buffer.append":
            append_sent.append(now)
        barge_in = (event.direction == "server" and event.type == "input_audio_buffer.speech_started"
                    and engine.is_playing)
        holder["loop"].handle_event(event)
        if barge_in:
            barge_ins.append(now)
            barge_in_call_ms.append((time.monotonic() - now) * 1000)

    worker = RealtimeWorker(resolve_target_for_emulator(url), SessionConfig(), on_event, lambda status: None)
    loop = holder["loop"] = VoiceLoop(worker, engine)
    raw_path, times_path = Path(state_dir) / "speaker.raw", Path(state_dir) / "speaker.times"
    tap = subprocess.Popen([sys.executable, __file__, "--tap", str(raw_path), str(times_path)])
    task = asyncio.create_task(worker.run())
    while "session.updated" not in arrivals:
        await asyncio.sleep(0.01)
    assert loop.start_listening(), "audio unavailable"
    forward = engine.on_mic_chunk

    def stamped(chunk: bytes) -> None:
        mic_stamps.append(time.monotonic())
        forward(chunk)

    engine.on_mic_chunk = stamped
    stop_stalls = threading.Event()
    if stall_ms:
        threading.Thread(target=stall_the_gil, args=(stall_ms, stop_stalls), daemon=True).start()
    first_delta_to_sample: list[float] = []
    first_deltas: list[float] = []
    cpu_samples: list[float] = []
    for _ in range(rounds):
        deltas_before = len(arrivals.get("response.output_audio.delta", []))
        worker.send_text("What can you do?")
        while len(arrivals.get("response.output_audio.delta", [])) <= deltas_before:
            await asyncio.sleep(0.001)
        first_delta = arrivals["response.output_audio.delta"][deltas_before]
        first_deltas.append(first_delta)
        engine.burst_started_at = None
        while engine.burst_started_at is None:
            await asyncio.sleep(0.001)
        first_delta_to_sample.append((engine.burst_started_at - first_delta) * 1000)
        cpu0, wall0 = time.process_time(), time.monotonic()
        await asyncio.sleep(1.5)  # full duplex: reply playing, mic appending
        cpu_samples.append((time.process_time() - cpu0) / (time.monotonic() - wall0) * 100)
        await asyncio.to_thread(subprocess.run, [str(TOOL), "play-mic", str(speech_wav)], check=True)
        await asyncio.sleep(2.5)  # the reply to the interruption plays out before the next round
        engine.flush()
        if loop.active_response_id is not None:
            worker.cancel_response()  # a long reply still streaming would be taken for the next one
        while loop.active_response_id is not None:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)
    stop_stalls.set()
    tap.terminate()
    tap.wait(10)
    silence_heard, first_sounding = heard_ms(raw_path, times_path, barge_ins, first_deltas)
    sent_pairs = min(len(mic_stamps), len(append_sent))
    mic_to_append = [(append_sent[i] - mic_stamps[i]) * 1000 for i in range(sent_pairs)]
    latency_ms = engine.output_latency_s * 1000
    print(f"speaker buffering: {output_latency!r} → PortAudio reports {latency_ms:.1f} ms; "
          f"underruns {engine.underruns} (cutting into assistant audio: {engine.audible_underruns}), "
          f"buffer raised {engine.latency_raises}×")
    print(f"speech_started → silence heard         : {summary(silence_heard)}   target ≤ 30 ms")
    print(f"   barge-in call (abort + restart)     : {summary(barge_in_call_ms)}   (holds the event loop)")
    print(f"mic block callback → append sent      : {summary(mic_to_append)}   target ≤ 25 ms")
    print(f"first delta → first sample written     : {summary(first_delta_to_sample)}")
    print(f"   … + output latency (heard)          : {summary([v + latency_ms for v in first_delta_to_sample])}   target ≤ 60 ms")
    print(f"   … heard on the monitor              : {summary(first_sounding)}")
    print("(monitor times: the onset agrees with PortAudio's latency within ~1 ms; resolution ≈ ±5 ms, "
          "so ≤ 0 means at once)")
    print(f"CPU of the app while full duplex       : {statistics.mean(cpu_samples):.1f} % of one core   target ≤ 10 %")
    engine.stop()
    await worker.stop()
    await task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output-latency", default="auto",
                        help="speaker buffering: auto (the app's default), low, high or milliseconds")
    parser.add_argument("--stall-ms", type=float, default=0, help="hold the GIL this long twice a second")
    parser.add_argument("--tap", nargs=2, metavar=("RAW", "TIMES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tap:
        run_tap(*args.tap)
        return
    from rt_tui.core.devices import parse_output_latency

    latency = parse_output_latency(args.output_latency)
    with tempfile.TemporaryDirectory(prefix="rtb") as state_dir:
        start_virtual_audio(state_dir)
        emulator, url = start_emulator()
        try:
            speech = Path(state_dir) / "stop.wav"
            subprocess.run([str(TOOL), "say", "Stop, please wait", str(speech)], check=True)
            print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
            asyncio.run(measure(url, args.rounds, speech, latency, state_dir, args.stall_ms))
            print(f"load average after : {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        finally:
            emulator.terminate()
            emulator.wait(10)
            subprocess.run([str(TOOL), "stop", state_dir], capture_output=True)


if __name__ == "__main__":
    main()
