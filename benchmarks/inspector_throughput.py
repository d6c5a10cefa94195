"""How many realtime events per second the app absorbs with the inspector visible, and the longest UI stall.

    .venv/bin/python benchmarks/inspector_throughput.py [--source all|emulator|synthetic|deltas|pane]
                                                         [--mode both|paced|saturation] [--rate N] [--seconds N]

Two modes per source: `paced` feeds the app at a fixed rate (--rate, default 5,000 server events/s) and
reports the longest stall at that rate; `saturation` feeds it as fast as it takes events and reports
the highest rate it absorbs. Sources (default `all` = synthetic, then emulator):
emulator: the full app (make_app, real worker, real SDK) connected to `rt-tui emulator` in its own
process on loopback, streaming ~30 s voice replies (audio deltas in the service's sizes, a transcript
delta per word, done events, usage, rate limits); the next message goes out as soon as a reply is done.
First it measures what the emulator delivers to a bare SDK client (the source's ceiling) and how many
events a reply has per second of audio; paced mode then runs the emulator at the realtime factor that
gives --rate.
synthetic: the full app fed in-process through the worker's hand-off (`app._on_worker_event`, so the
merged `RealtimeEventsArrived` messages are measured too), a realistic voice mix: the server events of
`inspector_memory.voice_session` (VAD, user items, 30 s replies in 50 ms audio deltas with a transcript
word every 200 ms, done events, usage, rate limits; the mic's client appends are left out, they come at
10/s in real time whatever the server does).
deltas: the old stress source, audio + transcript deltas into one endless item (a 2,500-word reply per
100 batches). pane: those deltas straight into the inspector pane alone in a bare app, the pane's ceiling.

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
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
MAX_BACKLOG = 2_000  # saturation: events handed over but not yet ingested, like a socket's buffers
# A long answer (~5 min of speech, ~2,400 events): one request round trip per reply would otherwise dominate
# the flow (at 5,000/s a 40 s reply lasts 65 ms); the mix of events per second of audio is the service's.
REPLY = " ".join(f"Sentence number {i} of a spoken answer, with a few more words in it." for i in range(80))
SATURATION_FACTOR = 100_000  # the emulator's realtime_factor when nothing should hold it back


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

    def stop(self) -> None:
        self.cpu = time.process_time() - self.cpu_start
        self.armed = False


@dataclass
class Run:
    source: str
    mode: str  # "saturation" or "paced N/s"
    count: int  # server events ingested while measuring
    elapsed: float
    beat: Heartbeat
    backlog: int = 0  # events handed to the app but not yet ingested at the end

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed > 0 else 0.0


def counting(app, counter: dict[str, int]) -> None:
    """Count the server events the app ingests."""
    ingest = app.ingest

    def counted(event: Event) -> None:
        if event.direction == "server":
            counter["server"] += 1
        ingest(event)

    app.ingest = counted


def backlog(app) -> int:
    return len(getattr(app, "_arrived", ()))


def start_gc_pacing(app) -> None:
    """What the app does once its first screen is up in a terminal (run_test is headless, so by hand)."""
    global GC_PACED
    pacer = getattr(app, "gc_pacer", None)
    if GC_PACING and pacer is not None:
        pacer.start()
        GC_PACED = True


# ---- in-process sources ----------------------------------------------------------------------------------


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


def realistic_events() -> Iterator[Event]:
    """Server events of simulated voice sessions, endlessly (the mic's client appends left out)."""
    while True:
        yield from (e for e in voice_session(60, reply_s=30, chunk_ms=50, word_ms=200) if e.direction == "server")


def delta_events() -> Iterator[Event]:
    for n in itertools.count():
        yield from synthetic_burst(100, f"item_{n // 50}")


class InspectorOnly(App[None]):
    """The pane alone, fed the way the app feeds it, to separate its cost from the rest of the screen."""

    def compose(self) -> ComposeResult:
        yield InspectorPane(id="inspector")

    def ingest(self, event: Event) -> None:
        self.query_one(InspectorPane).add_event(event)


async def run_in_process(source: str, seconds: float, rate: float | None) -> Run:
    """Saturation (rate None): 100 events per loop turn while the app keeps up; paced: `rate` events/s."""
    if source == "pane":
        app = InspectorOnly()
    else:
        app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False)
    events = realistic_events() if source == "synthetic" else delta_events()
    beat = Heartbeat()
    counter = {"server": 0}
    async with app.run_test(size=(200, 50)) as pilot:
        counting(app, counter)
        # the worker's hand-off into the app (the pane alone has none: straight into ingest)
        deliver = app.ingest if source == "pane" else app._on_worker_event
        start_gc_pacing(app)
        app.set_interval(HEARTBEAT_S, beat.tick)
        await pilot.pause(0.2)
        beat.arm()
        start = time.perf_counter()
        fed = 0
        while (now := time.perf_counter()) - start < seconds:
            if rate is not None:
                due = int(rate * (now - start))
            else:
                due = fed + 100 if backlog(app) < MAX_BACKLOG else fed
            for event in itertools.islice(events, max(0, due - fed)):
                deliver(event)
            fed = max(fed, due)
            await asyncio.sleep(0.001 if rate is not None else 0)  # a socket delivers in bursts too
        elapsed = time.perf_counter() - start
        beat.stop()
        left = backlog(app)
        await pilot.pause(0.3)
    mode = "saturation" if rate is None else f"paced {rate:,.0f}/s"
    return Run(source, mode, counter["server"], elapsed, beat, left)


# ---- the emulator in its own process --------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def emulator_process(factor: float):
    """`rt-tui emulator` in its own process (its own core and GIL), streaming replies at `factor`× real time."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "flood.json"
        script.write_text(json.dumps({"rules": [{"pattern": ".", "reply": REPLY}],
                                      "timing": {"first_delta_ms": 0, "realtime_factor": factor}}))
        proc = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "emulator", "--port", "0", "--script", str(script)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            if "ws://" not in line:
                raise SystemExit(f"emulator did not start: {line!r}")
            yield line.split()[-1], proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@dataclass
class Ceiling:
    rate: float  # events/s to a bare SDK client
    emulator_cpu_per_event: float
    client_cpu_per_event: float
    events_per_audio_s: float  # of one reply: what sets the realtime factor for a paced run


async def raw_client_rate(url: str, emulator_pid: int, replies: int = 20) -> Ceiling:
    """What the emulator delivers to a bare SDK connection reading raw frames: the source's ceiling."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="x", base_url=url.replace("ws://", "http://") + "/v1", websocket_base_url=f"{url}/v1")
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    async with client.realtime.connect(model="gpt-realtime") as connection:

        async def ask() -> None:
            await connection.conversation.item.create(item=item)
            await connection.response.create()

        await ask()  # the first reply pays for speech synthesis; parsed, to know the mix
        events, audio_bytes = 0, 0
        while True:
            event = json.loads(await connection.recv_bytes())
            events += 1
            if event["type"] == "response.output_audio.delta":
                audio_bytes += len(base64.b64decode(event["delta"]))
            if event["type"] == "response.done":
                break
        start, cpu, emulator_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(emulator_pid)
        frames = 0
        for _ in range(replies):
            await ask()
            while True:
                frames += 1
                if b'"response.done"' in await connection.recv_bytes():
                    break
        elapsed = time.perf_counter() - start
        client_cpu, emulator_cpu = time.process_time() - cpu, _cpu_seconds(emulator_pid) - emulator_cpu
    await client.close()
    return Ceiling(frames / elapsed, emulator_cpu / frames, client_cpu / frames, events / (audio_bytes / 48_000))


async def worker_rate(url: str, replies: int = 20) -> tuple[float, float]:
    """Events/s and CPU µs per event of the app's receive path alone: the worker (SDK, JSON, dialect edge,
    `Event`s) feeding a callback that only counts them, no app."""
    from rt_tui.core.connection import RealtimeWorker
    from rt_tui.core.session import SessionConfig

    counted = {"server": 0}
    done = asyncio.Event()

    def on_event(event: Event) -> None:
        if event.direction == "server":
            counted["server"] += 1
            if event.type == "response.done":
                done.set()

    worker = RealtimeWorker(resolve_target_for_emulator(url), SessionConfig(), on_event, lambda status: None)
    task = asyncio.create_task(worker.run())
    try:
        for reply in range(replies + 1):
            if reply == 1:  # the first reply paid for speech synthesis
                start, cpu, count = time.perf_counter(), time.process_time(), counted["server"]
            done.clear()
            worker.send_text(f"talk {reply}")
            await asyncio.wait_for(done.wait(), 30)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        count = counted["server"] - count
    finally:
        await worker.stop()
        task.cancel()
    return count / elapsed, cpu / count


async def run_emulator(url: str, seconds: float, mode: str) -> Run:
    app = make_app(Settings(target=resolve_target_for_emulator(url)), cursor_blink=False)
    counter = {"server": 0}
    asked = {"n": 0, "at": 0.0}

    def ask_next() -> None:
        asked["n"] += 1
        asked["at"] = time.perf_counter()
        app.host.send_text(f"talk {asked['n']}")

    # The next question leaves as soon as the worker receives a response.done (not when the app gets to
    # it), so the emulator keeps streaming while the app works through what it has: a continuous flow.
    hand_off = app.host._on_event

    def handed_off(event: Event) -> None:
        hand_off(event)
        if event.type == "response.done":
            ask_next()

    app.host._on_event = handed_off
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
        ask_next()  # the first reply pays for speech synthesis; measure the steady flow
        while counter["server"] < 200:
            await pilot.pause(0.05)
        start_count = counter["server"]
        beat.arm()
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            # not pilot.pause(): it posts a message to every widget on the screen and waits for all of them,
            # work a real terminal app never does (~2,500 messages/s here, a third of the app's CPU)
            await asyncio.sleep(0.05)
            if app.conversation.active_response_id is None and time.perf_counter() - asked["at"] > 1.0:
                ask_next()  # a reply refused (the previous one was still closing): ask again
        elapsed = time.perf_counter() - start
        beat.stop()
        count, left = counter["server"] - start_count, backlog(app)
    return Run("emulator", mode, count, elapsed, beat, left)


async def emulator_runs(seconds: float, modes: list[str], rate: float) -> list[Run]:
    runs: list[Run] = []
    with emulator_process(SATURATION_FACTOR) as (url, pid):
        ceiling = await raw_client_rate(url, pid)
        print(f"emulator → bare SDK client (no app): {ceiling.rate:,.0f} events/s; CPU per event: emulator "
              f"{ceiling.emulator_cpu_per_event * 1e6:.0f} µs, client {ceiling.client_cpu_per_event * 1e6:.0f} µs "
              f"(= {1 / ceiling.emulator_cpu_per_event:,.0f} events per emulator CPU-second); "
              f"{ceiling.events_per_audio_s:.1f} events per second of reply audio", flush=True)
        rate_alone, cpu_alone = await worker_rate(url)
        print(f"emulator → the app's worker alone (SDK, JSON, dialect edge, Events; no UI): {rate_alone:,.0f} events/s, "
              f"{cpu_alone * 1e6:.0f} µs CPU per event", flush=True)
        if "saturation" in modes:
            runs.append(await run_emulator(url, seconds, "saturation"))
    if "paced" in modes:
        factor = rate / ceiling.events_per_audio_s
        for _ in range(2):  # calibrate: the emulator's pacing and the gaps between replies lose some rate
            with emulator_process(factor) as (url, pid):
                factor *= rate / (await raw_client_rate(url, pid, replies=3)).rate
        with emulator_process(factor) as (url, _):
            runs.append(await run_emulator(url, seconds, f"paced {rate:,.0f}/s (×{factor:,.0f} real time)"))
    return runs


# ---- report -----------------------------------------------------------------------------------------------


def report(run: Run) -> None:
    stall_ms = run.beat.worst * 1000
    cpu = run.beat.cpu  # this process only (the emulator's own process is not in it)
    where = "emulator process over loopback" if run.source == "emulator" else "in-process"
    print(f"\n{run.source} ({where}), {run.mode}, GC pacing {'on' if GC_PACED else 'off'}")
    rate_ok = run.rate >= TARGET_RATE * 0.98  # a paced run at exactly the target may lose a few to timing
    print(f"  server events absorbed: {run.count:,} in {run.elapsed:.2f} s = {run.rate:,.0f} events/s "
          f"(target ≥ {TARGET_RATE:,}: {'met' if rate_ok else 'NOT met'}); {run.backlog:,} still queued at the end")
    print(f"  longest UI stall: {stall_ms:.1f} ms wall, {run.beat.worst_cpu * 1000:.1f} ms CPU "
          f"(target ≤ {TARGET_STALL_MS:.0f} ms: {'met' if stall_ms <= TARGET_STALL_MS else 'NOT met'})")
    print(f"  app process CPU: {cpu:.2f} s in {run.elapsed:.2f} s wall ({cpu / run.elapsed:.0%} of one core) = "
          f"{run.count / cpu if cpu else 0:,.0f} events per CPU-second (what one free core would absorb)")
    print(f"  load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)


async def main_async(sources: list[str], modes: list[str], rate: float, seconds: float) -> None:
    for source in sources:
        if source == "emulator":
            for run in await emulator_runs(seconds, modes, rate):
                report(run)
            continue
        for mode in modes:
            report(await run_in_process(source, seconds, rate if mode == "paced" else None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=["all", "emulator", "synthetic", "deltas", "pane"], default="all",
                        help="all: synthetic then emulator; synthetic: realistic voice mix in-process; "
                             "deltas: stress; pane: deltas into the pane alone")
    parser.add_argument("--mode", choices=["both", "paced", "saturation"], default="both")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="server events/s of the paced mode")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured run")
    parser.add_argument("--no-gc-pacing", action="store_true",
                        help="leave full garbage collections to Python (the app's behaviour before pacing)")
    args = parser.parse_args()
    global GC_PACING
    GC_PACING = not args.no_gc_pacing
    sources = ["synthetic", "emulator"] if args.source == "all" else [args.source]
    modes = ["paced", "saturation"] if args.mode == "both" else [args.mode]
    asyncio.run(main_async(sources, modes, args.rate, args.seconds))


if __name__ == "__main__":
    main()
