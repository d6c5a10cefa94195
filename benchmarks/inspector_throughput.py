"""How many realtime events per second the app absorbs with the inspector visible, and the longest UI stall.

    .venv/bin/python benchmarks/inspector_throughput.py [--source emulator|synthetic] [--seconds N]

emulator (default): the full app (make_app, real worker, real SDK) connected to `rt-tui emulator` in its
own process on loopback, streaming long voice replies (audio + transcript deltas) far faster than real
time. First prints what the emulator delivers to a bare SDK client, the ceiling of this source: when
that is below the target, the app cannot show more than it is given.
synthetic: the full app fed in-process, 100 events per loop turn through `app.ingest` (the path worker
events take), a realistic voice mix: the server events of `inspector_memory.voice_session` (VAD, user
items, 30 s replies in 50 ms audio deltas with a transcript word every 200 ms, done events, usage, rate
limits; the mic's client appends are left out, they come at 10/s in real time whatever the server does).
deltas: the old stress source, audio + transcript deltas into one endless item (a 2,500-word reply per
100 batches). pane: those deltas into the inspector pane alone in a bare app, the pane's own ceiling.

A 10 ms heartbeat timer in the app measures stalls: the longest gap beyond its period is the longest
time input would have waited (wall clock; the CPU figure leaves out time the OS gave other processes).
Full garbage collections are paced as the app does in a terminal (`app.gc_pacer`, see
rt_tui/ui/gc_pacing.py) unless --no-gc-pacing. Targets: ≥ 5,000 server events/s, longest stall ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import subprocess
import tempfile
import itertools
import os
from collections.abc import Iterator
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rt_tui.config import Settings, Target, resolve_target_for_emulator  # noqa: E402
from rt_tui.core.events import Event  # noqa: E402
from rt_tui.ui.app import make_app  # noqa: E402
from rt_tui.ui.panes.inspector import InspectorPane  # noqa: E402
from inspector_memory import voice_session  # noqa: E402  (same folder)
from textual.app import App, ComposeResult  # noqa: E402

HEARTBEAT_S = 0.01
GC_PACING = True
GC_PACED = False  # set when the app had a pacer to start (older builds have none)
TARGET_RATE = 5_000
TARGET_STALL_MS = 50.0
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
        self.cpu_start = time.process_time()
        self.cpu = 0.0  # process CPU seconds over the measured run

    def tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self.armed:
            self.worst = max(self.worst, now - self.last - HEARTBEAT_S)
            self.worst_cpu = max(self.worst_cpu, cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def arm(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.worst, self.worst_cpu, self.armed = 0.0, 0.0, True
        self.cpu_start = time.process_time()
        self.cpu = 0.0


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
            start_gc_pacing(app)
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
            beat.cpu = time.process_time() - beat.cpu_start
            return counter["server"] - start_count, time.perf_counter() - start, beat


class InspectorOnly(App[None]):
    """The pane alone, fed the way the app feeds it, to separate its cost from the rest of the screen."""

    def compose(self) -> ComposeResult:
        yield InspectorPane(id="inspector")

    def ingest(self, event: Event) -> None:
        self.query_one(InspectorPane).add_event(event)


def start_gc_pacing(app) -> None:
    """What the app does once its first screen is up in a terminal (run_test is headless, so by hand)."""
    global GC_PACED
    pacer = getattr(app, "gc_pacer", None)
    if GC_PACING and pacer is not None:
        pacer.start()
        GC_PACED = True


def realistic_batches(batch: int = 100) -> Iterator[list[Event]]:
    """Server events of simulated voice sessions, endlessly, in batches (the mic's client appends left out)."""
    while True:
        events = (e for e in voice_session(60, reply_s=30, chunk_ms=50, word_ms=200) if e.direction == "server")
        while chunk := list(itertools.islice(events, batch)):
            yield chunk


def delta_batches(batch: int = 100) -> Iterator[list[Event]]:
    for n in itertools.count():
        yield synthetic_burst(batch, f"item_{n // 50}")


async def run_synthetic(seconds: float, source: str = "synthetic") -> tuple[int, float, Heartbeat]:
    pane_only = source == "pane"
    if pane_only:
        app = InspectorOnly()
    else:
        app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False)
    beat = Heartbeat()
    count = 0
    batches = realistic_batches() if source == "synthetic" else delta_batches()
    async with app.run_test(size=(200, 50)) as pilot:
        start_gc_pacing(app)
        app.set_interval(HEARTBEAT_S, beat.tick)
        await pilot.pause(0.2)
        beat.arm()
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            events = next(batches)
            for event in events:
                app.ingest(event)  # as the message handler would, 100 events per loop turn
            count += len(events)
            await asyncio.sleep(0)
        elapsed = time.perf_counter() - start
        beat.cpu = time.process_time() - beat.cpu_start
        await pilot.pause(0.3)
    return count, elapsed, beat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=["emulator", "synthetic", "deltas", "pane"], default="emulator",
                        help="synthetic: realistic voice mix in-process; deltas: stress; pane: deltas into the pane alone")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-gc-pacing", action="store_true",
                        help="leave full garbage collections to Python (the app's behaviour before pacing)")
    args = parser.parse_args()
    global GC_PACING
    GC_PACING = not args.no_gc_pacing
    if args.source == "emulator":
        result = run_emulator(args.seconds)
    else:
        result = run_synthetic(args.seconds, args.source)
    count, elapsed, beat = asyncio.run(result)
    cpu = beat.cpu  # this process only (the emulator's own process is not in it)
    rate = count / elapsed if elapsed > 0 else 0.0
    stall_ms = beat.worst * 1000
    print(f"source: {args.source} ({'in-process' if args.source != 'emulator' else 'emulator process over loopback'})"
          f", GC pacing {'on' if GC_PACED else 'off'}")
    print(f"server events absorbed: {count:,} in {elapsed:.2f} s = {rate:,.0f} events/s "
          f"(target ≥ {TARGET_RATE:,}: {'met' if rate >= TARGET_RATE else 'NOT met'})")
    print(f"longest UI stall: {stall_ms:.1f} ms wall, {beat.worst_cpu * 1000:.1f} ms CPU "
          f"(target ≤ {TARGET_STALL_MS:.0f} ms: {'met' if stall_ms <= TARGET_STALL_MS else 'NOT met'})")
    print(f"app process CPU: {cpu:.2f} s in {elapsed:.2f} s wall ({cpu / elapsed:.0%} of one core) = "
          f"{count / cpu if cpu else 0:,.0f} events per CPU-second (what one free core would absorb)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
