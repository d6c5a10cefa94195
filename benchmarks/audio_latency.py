"""Voice latencies and CPU of the app's audio path, on the virtual PulseAudio. Prints figures.

    .venv/bin/python benchmarks/audio_latency.py [--rounds N] [--output-latency low|SECONDS]

Starts its own virtual sound system (tools/virtual-audio) and an emulator in a separate process
(`rt-tui emulator`), so the CPU figure is the app side only: RealtimeWorker (real openai SDK),
VoiceLoop and AudioEngine. Measured, per round of a spoken reply interrupted by speech in the mic:

* speech_started received → the first silent speaker block written (flush), and + the device's
  output latency (when the silence is heard). Target ≤ 30 ms.
* mic block handed out by the input callback → its input_audio_buffer.append sent. Target ≤ 25 ms.
  (The block itself spans 20 ms before the callback sees it.)
* first audio delta received → its first sample written, and + output latency. Target ≤ 60 ms.
* CPU of this process while full duplex (mic appends + reply playing). Target ≤ 10 % of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOOL = ROOT / "tools" / "virtual-audio"


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


async def measure(url: str, rounds: int, speech_wav: Path, output_latency: float | str) -> None:
    from rt_tui.config import resolve_target_for_emulator
    from rt_tui.core.audio import AudioEngine
    from rt_tui.core.connection import RealtimeWorker
    from rt_tui.core.session import SessionConfig
    from rt_tui.core.voice_loop import VoiceLoop

    engine = AudioEngine(output_latency=output_latency)
    arrivals: dict[str, list[float]] = {}
    mic_stamps: list[float] = []
    append_sent: list[float] = []
    silence_after: list[float] = []
    pending_silence: list[float] = []
    holder: dict[str, VoiceLoop] = {}

    def on_event(event) -> None:
        now = time.monotonic()
        arrivals.setdefault(event.type, []).append(now)
        if event.direction == "client" and event.type == "input_audio_buffer.append":
            append_sent.append(now)
        if event.direction == "server" and event.type == "input_audio_buffer.speech_started" and engine.is_playing:
            pending_silence.append(now)
        holder["loop"].handle_event(event)

    def on_block(now: float, wrote_audio: bool) -> None:
        if pending_silence and not wrote_audio:
            silence_after.append((now - pending_silence.pop()) * 1000)

    worker = RealtimeWorker(resolve_target_for_emulator(url), SessionConfig(), on_event, lambda status: None)
    loop = holder["loop"] = VoiceLoop(worker, engine)
    engine.on_output_block = on_block
    task = asyncio.create_task(worker.run())
    while "session.updated" not in arrivals:
        await asyncio.sleep(0.01)
    assert loop.start_listening(), "audio unavailable"
    forward = engine.on_mic_chunk

    def stamped(chunk: bytes) -> None:
        mic_stamps.append(time.monotonic())
        forward(chunk)

    engine.on_mic_chunk = stamped
    first_delta_to_sample: list[float] = []
    cpu_samples: list[float] = []
    for _ in range(rounds):
        deltas_before = len(arrivals.get("response.output_audio.delta", []))
        worker.send_text("What can you do?")
        while len(arrivals.get("response.output_audio.delta", [])) <= deltas_before:
            await asyncio.sleep(0.001)
        first_delta = arrivals["response.output_audio.delta"][deltas_before]
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
    sent_pairs = min(len(mic_stamps), len(append_sent))
    mic_to_append = [(append_sent[i] - mic_stamps[i]) * 1000 for i in range(sent_pairs)]
    latency_ms = engine.output_latency_s * 1000
    print(f"output latency reported by PortAudio: {latency_ms:.1f} ms")
    print(f"speech_started → silent block written : {summary(silence_after)}")
    print(f"   … + output latency (heard silence)  : {summary([v + latency_ms for v in silence_after])}   target ≤ 30 ms")
    print(f"mic block callback → append sent      : {summary(mic_to_append)}   target ≤ 25 ms")
    print(f"first delta → first sample written     : {summary(first_delta_to_sample)}")
    print(f"   … + output latency (heard)          : {summary([v + latency_ms for v in first_delta_to_sample])}   target ≤ 60 ms")
    print(f"CPU of the app while full duplex       : {statistics.mean(cpu_samples):.1f} % of one core   target ≤ 10 %")
    engine.stop()
    await worker.stop()
    await task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output-latency", default=None,
                        help="speaker buffering: 'low' (PortAudio's lowest) or seconds (default: the engine's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rtb") as state_dir:
        start_virtual_audio(state_dir)
        emulator, url = start_emulator()
        try:
            speech = Path(state_dir) / "stop.wav"
            subprocess.run([str(TOOL), "say", "Stop, please wait", str(speech)], check=True)
            from rt_tui.core.audio import OUTPUT_LATENCY_S

            latency = args.output_latency or OUTPUT_LATENCY_S
            latency = latency if latency in ("low", "high") else float(latency)
            asyncio.run(measure(url, args.rounds, speech, latency))
        finally:
            emulator.terminate()
            emulator.wait(10)
            subprocess.run([str(TOOL), "stop", state_dir], capture_output=True)


if __name__ == "__main__":
    main()
