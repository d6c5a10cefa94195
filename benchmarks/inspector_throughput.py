"""How many realtime events per second the app absorbs with the inspector visible, and the longest UI stall.

    .venv/bin/python benchmarks/inspector_throughput.py [--source emulator|synthetic] [--seconds N]

emulator (default): the full app (make_app, real worker, real SDK) connected to `rt-tui emulator` in its
own process on loopback, streaming long voice replies (audio + transcript deltas) far faster than real
time. First prints what the emulator delivers to a bare SDK client, the ceiling of this source.
synthetic: audio + transcript deltas pushed straight into `app.ingest` (100 per loop turn), the app's
own ceiling. pane: the same into the inspector pane alone in a bare app, the pane's own ceiling.

A 10 ms heartbeat timer in the app measures stalls: the longest gap beyond its period is the longest
time input would have waited. Targets: ≥ 5,000 server events/s, longest stall ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import subprocess
import tempfile
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rt_tui.config import Settings, Target, resolve_target_for_emulator  # noqa: E402
from rt_tui.core.events import Event  # noqa: E402
from rt_tui.ui.app import make_app  # noqa: E402
from rt_tui.ui.panes.inspector import InspectorPane  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402

HEARTBEAT_S = 0.01
FREEZE = False
LONG_REPLY = " ".join(f"Sentence number {i} of a long spoken answer, with a few more words." for i in range(20))


class Heartbeat:
    """Longest gap between 10 ms ticks beyond the period: wall clock, and CPU time of this thread.

    On a shared machine the wall figure includes time the OS gave to other processes; the CPU
    figure is the part this process itself spent without returning to the event loop.
    """

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.worst = 0.0
        self.worst_cpu = 0.0
        self.armed = False

    def tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self.armed:
            self.worst = max(self.worst, now - self.last - HEARTBEAT_S)
            self.worst_cpu = max(self.worst_cpu, cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def arm(self) -> None:
        if FREEZE:
            gc.collect()
            gc.freeze()
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.worst, self.worst_cpu, self.armed = 0.0, 0.0, True


def counting(app, counter: dict[str, int]) -> None:
    ingest = app.ingest

    def counted(event: Event) -> None:
        if event.direction == "server":
            counter["server"] += 1
            counter["last_t"] = time.perf_counter()
        ingest(event)

    app.ingest = counted


def synthetic_burst(n_events: int, item: str) -> list[Event]:
    audio = base64.b64encode(bytes(12_000)).decode()
    events: list[Event] = []
    for i in range(n_events // 2):
        t = i * 0.001
        events.append(Event("server", "response.output_audio.delta", {"type": "response.output_audio.delta", "item_id": item,
                            "response_id": "resp_b", "output_index": 0, "content_index": 0, "delta": audio}, t, size=16_200))
        events.append(Event("server", "response.output_audio_transcript.delta", {"type": "response.output_audio_transcript.delta",
                            "item_id": item, "response_id": "resp_b", "output_index": 0, "content_index": 0, "delta": "word "}, t, size=180))
    return events


@contextlib.contextmanager
def emulator_process(tmp: Path):
    """`rt-tui emulator` in its own process (its own core and GIL), streaming long replies ~instantly."""
    script = tmp / "flood.json"
    script.write_text(json.dumps({"rules": [{"pattern": ".", "reply": LONG_REPLY}],
                                  "timing": {"first_delta_ms": 0, "realtime_factor": 100_000}}))
    proc = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "emulator", "--port", "0", "--script", str(script)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if "ws://" not in line:
            raise SystemExit(f"emulator did not start: {line!r}")
        yield line.split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def raw_client_rate(url: str, replies: int = 3) -> float:
    """Events/s the emulator delivers to a bare SDK connection reading raw frames: the source's ceiling."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="x", base_url=url.replace("ws://", "http://") + "/v1", websocket_base_url=f"{url}/v1")
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    async with client.realtime.connect(model="gpt-realtime") as connection:

        async def ask_and_read() -> int:
            await connection.conversation.item.create(item=item)
            await connection.response.create()
            frames = 0
            while True:
                frames += 1
                if b'"response.done"' in await connection.recv_bytes():
                    return frames

        await ask_and_read()  # the first reply pays for speech synthesis
        start = time.perf_counter()
        count = sum([await ask_and_read() for _ in range(replies)])
    await client.close()
    return count / (time.perf_counter() - start)


async def run_emulator(seconds: float) -> tuple[int, float, Heartbeat]:
    with tempfile.TemporaryDirectory() as tmp, emulator_process(Path(tmp)) as url:
        print(f"emulator → bare SDK client (no app): {await raw_client_rate(url):,.0f} events/s")
        app = make_app(Settings(target=resolve_target_for_emulator(url)), cursor_blink=False)
        counter = {"server": 0, "last_t": 0.0}
        counting(app, counter)
        beat = Heartbeat()
        async with app.run_test(size=(200, 50)) as pilot:
            app.set_interval(HEARTBEAT_S, beat.tick)
            deadline = time.perf_counter() + 20
            while not app.host.worker or counter["server"] < 2:  # session.created + session.updated
                await pilot.pause(0.05)
                if time.perf_counter() > deadline:
                    raise SystemExit("no session from the emulator")
            app.host.send_text("warm up")  # the first reply pays for speech synthesis; measure the steady flow
            while counter["server"] < 200:
                await pilot.pause(0.05)
            start_count = counter["server"]
            beat.arm()
            start = time.perf_counter()
            replies = 0
            while time.perf_counter() - start < seconds:
                if app.conversation.active_response_id is None:
                    app.host.send_text(f"talk {replies}")
                    replies += 1
                await pilot.pause(0.05)
            return counter["server"] - start_count, time.perf_counter() - start, beat


class InspectorOnly(App[None]):
    """The pane alone, fed the way the app feeds it, to separate its cost from the rest of the screen."""

    def compose(self) -> ComposeResult:
        yield InspectorPane(id="inspector")

    def ingest(self, event: Event) -> None:
        self.query_one(InspectorPane).add_event(event)


async def run_synthetic(seconds: float, pane_only: bool = False) -> tuple[int, float, Heartbeat]:
    if pane_only:
        app = InspectorOnly()
    else:
        app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False)
    beat = Heartbeat()
    count = 0
    async with app.run_test(size=(200, 50)) as pilot:
        app.set_interval(HEARTBEAT_S, beat.tick)
        await pilot.pause(0.2)
        beat.arm()
        start = time.perf_counter()
        batch = 0
        while time.perf_counter() - start < seconds:
            for event in synthetic_burst(100, f"item_{batch // 50}"):
                app.ingest(event)  # as the message handler would, 100 events per loop turn
            count += 100
            batch += 1
            await asyncio.sleep(0)
        elapsed = time.perf_counter() - start
        await pilot.pause(0.3)
    return count, elapsed, beat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=["emulator", "synthetic", "pane"], default="emulator",
                        help="pane: synthetic events into the inspector pane alone")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() once the app is up (what the app could do at startup), to see GC's share of stalls")
    args = parser.parse_args()
    global FREEZE
    FREEZE = args.gc_freeze
    if args.source == "emulator":
        result = run_emulator(args.seconds)
    else:
        result = run_synthetic(args.seconds, pane_only=args.source == "pane")
    count, elapsed, beat = asyncio.run(result)
    rate = count / elapsed if elapsed > 0 else 0.0
    print(f"source: {args.source}")
    print(f"server events absorbed: {count:,} in {elapsed:.2f} s = {rate:,.0f} events/s (target ≥ 5,000)")
    print(f"longest UI stall: {beat.worst * 1000:.1f} ms wall, {beat.worst_cpu * 1000:.1f} ms CPU (target ≤ 50 ms)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
