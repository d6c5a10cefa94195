"""How many realtime events per second the app absorbs with the inspector visible, and the longest UI stall.

    .venv/bin/python benchmarks/inspector_throughput.py [--source emulator|synthetic] [--seconds N]

emulator (default): the full app (make_app, real worker, real SDK) connected to an emulator thread on
loopback, streaming long voice replies (audio + transcript deltas) far faster than real time.
synthetic: the same realistic mix pushed straight into `app.ingest` as fast as the app takes it, to
see the app's own ceiling when the emulator is the bottleneck.

A 10 ms heartbeat timer in the app measures stalls: the longest gap beyond its period is the longest
time input would have waited. Targets: ≥ 5,000 server events/s, longest stall ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rt_tui.config import Settings, Target, resolve_target_for_emulator  # noqa: E402
from rt_tui.core.events import Event  # noqa: E402
from rt_tui.ui.app import make_app  # noqa: E402
from rt_tui.ui.panes.inspector import InspectorPane  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402

HEARTBEAT_S = 0.01
LONG_REPLY = " ".join(f"Sentence number {i} of a long spoken answer, with a few more words." for i in range(60))


class Heartbeat:
    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0
        self.armed = False

    def tick(self) -> None:
        now = time.perf_counter()
        if self.armed:
            self.worst = max(self.worst, now - self.last - HEARTBEAT_S)
        self.last = now

    def arm(self) -> None:
        self.last, self.worst, self.armed = time.perf_counter(), 0.0, True


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


async def run_emulator(seconds: float) -> tuple[int, float, float]:
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.responder import Rule
    from rt_tui.emulator.script import Script
    from rt_tui.emulator.server import EmulatorThread

    options = EmulatorOptions(realtime_factor=10_000, first_delta_ms=0, ping_interval_s=None,
                              script=Script(rules=(Rule(pattern=".", reply=LONG_REPLY),)))
    emulator = EmulatorThread(options)
    url = emulator.start()
    try:
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
            start_count = counter["server"]
            beat.arm()
            start = time.perf_counter()
            replies = 0
            while time.perf_counter() - start < seconds:
                if app.conversation.active_response_id is None:
                    app.host.send_text(f"talk {replies}")
                    replies += 1
                await pilot.pause(0.05)
            elapsed = counter["last_t"] - start
            return counter["server"] - start_count, elapsed, beat.worst
    finally:
        emulator.stop()


class InspectorOnly(App[None]):
    """The pane alone, fed the way the app feeds it, to separate its cost from the rest of the screen."""

    def compose(self) -> ComposeResult:
        yield InspectorPane(id="inspector")

    def ingest(self, event: Event) -> None:
        self.query_one(InspectorPane).add_event(event)


async def run_synthetic(seconds: float, pane_only: bool = False) -> tuple[int, float, float]:
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
    return count, elapsed, beat.worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=["emulator", "synthetic", "pane"], default="emulator",
                        help="pane: synthetic events into the inspector pane alone")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    if args.source == "emulator":
        result = run_emulator(args.seconds)
    else:
        result = run_synthetic(args.seconds, pane_only=args.source == "pane")
    count, elapsed, worst = asyncio.run(result)
    rate = count / elapsed if elapsed > 0 else 0.0
    print(f"source: {args.source}")
    print(f"server events absorbed: {count:,} in {elapsed:.2f} s = {rate:,.0f} events/s (target ≥ 5,000)")
    print(f"longest UI stall: {worst * 1000:.1f} ms (target ≤ 50 ms)")


if __name__ == "__main__":
    main()
