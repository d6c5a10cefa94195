"""CPU cost of the emulator per streamed voice turn, and how many concurrent sessions it serves.

    .venv/bin/python benchmarks/emulator_sessions.py [--sessions 1,10,20,30] [--factor 4]

The emulator runs as `rt-tui emulator` in its own process; its CPU (including espeak-ng children) is
read from /proc. Each client (raw websockets, in this process) speaks like a user: an espeak-ng
utterance resampled to 24 kHz, framed by silence, appended in 20 ms chunks in real time; server VAD
ends the turn and the emulator streams a spoken reply. Per run it prints the emulator's CPU as a share
of one core (total and per session), the speech end → first audio delta latency (median, p95) and
whether every turn completed. A run "serves" its session count when every turn completed and the
p95 latency stays under 1.5 s (the emulator's configured first-delta latency is 0.25 s).
All sessions say the same thing, so after the first reply the emulator's voice cache spares espeak-ng:
the 1-session row includes one synthesis, the larger rows mostly protocol, VAD and streaming work.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from rt_tui.emulator.voice import synthesize  # noqa: E402

CHUNK = 960  # 20 ms of pcm16 24 kHz
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return (utime + stime + cutime + cstime) / TICKS


def _utterance() -> bytes:
    speech = synthesize("Hello there, what can you do for me today?", "ash")
    return b"\x00\x00" * 7200 + speech + b"\x00\x00" * 24000  # 300 ms before, 1 s after


async def _voice_turn(url: str, pcm: bytes) -> dict[str, float | bool]:
    result: dict[str, float | bool] = {"completed": False}
    async with connect(f"{url}/v1/realtime?model=gpt-realtime", max_size=None) as ws:
        await ws.recv()

        async def speak() -> None:
            start = time.monotonic()
            for n, offset in enumerate(range(0, len(pcm), CHUNK)):
                chunk = base64.b64encode(pcm[offset:offset + CHUNK]).decode()
                await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": chunk}))
                await asyncio.sleep(max(0.0, start + (n + 1) * 0.02 - time.monotonic()))

        speaker = asyncio.create_task(speak())
        stopped_at = None
        async for frame in ws:
            event = json.loads(frame)
            kind = event["type"]
            if kind == "input_audio_buffer.speech_stopped":
                stopped_at = time.monotonic()
            elif kind == "response.output_audio.delta" and "first_audio_s" not in result and stopped_at:
                result["first_audio_s"] = time.monotonic() - stopped_at
            elif kind == "response.done":
                result["completed"] = event["response"]["status"] == "completed"
                break
        await speaker
    return result


async def _run(url: str, pid: int, sessions: int, pcm: bytes) -> dict[str, float]:
    cpu0, wall0 = _cpu_seconds(pid), time.monotonic()
    results = await asyncio.wait_for(asyncio.gather(*(_voice_turn(url, pcm) for _ in range(sessions))), 120)
    cpu, wall = _cpu_seconds(pid) - cpu0, time.monotonic() - wall0
    latencies = sorted(float(r["first_audio_s"]) for r in results if "first_audio_s" in r)
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else float("inf")
    return {
        "sessions": sessions, "wall_s": wall, "cpu_share": cpu / wall, "per_session": cpu / wall / sessions,
        "completed": sum(bool(r["completed"]) for r in results), "median": statistics.median(latencies or [0.0]),
        "p95": p95,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", default="1,10,20,30", help="comma-separated concurrent session counts")
    parser.add_argument("--factor", default="4", help="emulator --realtime-factor (default 4, its default)")
    args = parser.parse_args()
    proc = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "emulator", "--port", "0",
                             "--realtime-factor", args.factor], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        url = re.search(r"ws://\S+", proc.stdout.readline()).group(0)
        pcm = _utterance()
        print(f"voice turn: {len(pcm) / 48000:.2f} s of user audio in 20 ms appends, spoken reply at "
              f"{args.factor}x real time")
        print(f"{'sessions':>8} {'wall s':>7} {'cpu % core':>10} {'per session':>11} {'done':>6} "
              f"{'median s':>9} {'p95 s':>6}")
        served = 0
        for count in (int(n) for n in args.sessions.split(",")):
            r = asyncio.run(_run(url, proc.pid, count, pcm))
            print(f"{count:>8} {r['wall_s']:>7.2f} {100 * r['cpu_share']:>9.1f}% {100 * r['per_session']:>10.2f}% "
                  f"{int(r['completed']):>3}/{count:<2} {r['median']:>9.3f} {r['p95']:>6.3f}")
            if r["completed"] == count and r["p95"] < 1.5:
                served = max(served, count)
        print(f"serves at least {served} concurrent voice sessions (target >= 20); "
              "CPU per session target < 5 % of one core")
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
