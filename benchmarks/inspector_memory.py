"""RSS growth of the app over a simulated 60-minute voice session, played at accelerated speed.

    .venv/bin/python benchmarks/inspector_memory.py [--minutes 60] [--pane-only]

The full app (make_app, connect=False, inspector visible at 200×50) is fed a generated GA voice
session through `app.ingest` — the path live and replayed events take: the mic appends 100 ms
chunks all along; every 20 s the user speaks (VAD events, a committed user item with a transcript)
and the assistant answers with ~10 s of audio (250 ms deltas) and its transcript. That is about
36,000 mic appends, 7,200 audio deltas and ~25,000 other events per hour. RSS (from /proc) is
printed every simulated 10 minutes, after a full garbage collection (in a terminal the app's
`GcPacer` runs one at least every 5 real minutes; at this speed the hour takes seconds). Target:
growth ≤ 50 MB over the hour.

Then, from the same run: what the parts hold (deep size of the inspector's ring and rows and of the
reducer's conversation; the rest of the growth is everything else: widgets, allocator slack), bytes
per kept event (target ≤ 150), how long one full garbage collection takes, and the inspector's
flushes: the longest during the hour, then during two more simulated minutes with a free-text filter
("answer"), and two with the mic's run of ~40,000 appends expanded under "dir:client" and the list
paused (target: no flush over 20 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import os
import sys
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult  # noqa: E402

from rt_tui.config import Settings, Target  # noqa: E402
from rt_tui.core.conversation import Conversation  # noqa: E402
from rt_tui.core.events import Event  # noqa: E402
from rt_tui.ui.app import make_app  # noqa: E402
from rt_tui.ui.panes.inspector import InspectorPane  # noqa: E402

MIC_CHUNK = base64.b64encode(bytes(4800)).decode()  # 100 ms
ASSISTANT_CHUNK = base64.b64encode(bytes(12_000)).decode()  # 250 ms
TURN_S = 20.0
REPLY_S = 10.0
WORDS = "Sure, here is a fairly ordinary spoken answer with some words in it".split()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server(type_: str, t: float, **fields: object) -> Event:
    payload = {"type": type_, "event_id": f"event_{int(t * 1000)}", **fields}
    return Event("server", type_, payload, t, type_, 120 + sum(len(str(v)) for v in fields.values()))


def voice_session(minutes: float, reply_s: float = REPLY_S, chunk_ms: int = 250, word_ms: int = 250) -> Iterator[Event]:
    """Events in time order (generated lazily, so the generator itself holds no memory).

    Replies of `reply_s` seconds of audio in `chunk_ms` deltas, with a transcript word every `word_ms`.
    """
    turns = int(minutes * 60 / TURN_S)
    for turn in range(turns):
        t0 = turn * TURN_S
        user, assistant, resp = f"item_u{turn:05d}", f"item_a{turn:05d}", f"resp_{turn:05d}"
        # the mic streams through the whole turn; the user speaks in the first 5 s
        for i in range(int(TURN_S * 10)):
            t = t0 + i / 10
            yield Event("client", "input_audio_buffer.append", {"type": "input_audio_buffer.append", "audio": MIC_CHUNK},
                        t, "input_audio_buffer.append", 6_440)
            if i == 5:
                yield server("input_audio_buffer.speech_started", t, audio_start_ms=int(t * 1000), item_id=user)
            if i == 50:
                yield server("input_audio_buffer.speech_stopped", t, audio_end_ms=int(t * 1000), item_id=user)
                yield server("input_audio_buffer.committed", t, item_id=user, previous_item_id=None)
                user_item = {"id": user, "type": "message", "role": "user", "status": "completed",
                             "content": [{"type": "input_audio", "transcript": None}]}
                yield server("conversation.item.added", t, item=user_item)
                yield server("conversation.item.done", t, item=user_item)
                yield from assistant_reply(t + 0.3, assistant, resp, reply_s, chunk_ms, word_ms)
            if i == 60:
                yield server("conversation.item.input_audio_transcription.completed", t, item_id=user, content_index=0,
                             transcript="a question the user asked in this turn", usage={"type": "duration", "seconds": 4})


def assistant_reply(t0: float, item: str, resp: str, reply_s: float = REPLY_S, chunk_ms: int = 250,
                    word_ms: int = 250) -> Iterator[Event]:
    c = {"response_id": resp, "item_id": item, "output_index": 0, "content_index": 0}
    yield server("response.created", t0, response={"id": resp, "object": "realtime.response", "status": "in_progress", "output": []})
    added = {"id": item, "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    yield server("response.output_item.added", t0, response_id=resp, output_index=0, item=added)
    yield server("conversation.item.added", t0, item=added)
    yield server("response.content_part.added", t0, **c, part={"type": "audio", "transcript": ""})
    chunks = int(reply_s * 1000 / chunk_ms)
    chunk = ASSISTANT_CHUNK if chunk_ms == 250 else base64.b64encode(bytes(48 * chunk_ms)).decode()
    words: list[str] = []
    for i in range(chunks):  # generated faster than real time, like the service (5× here)
        t = t0 + i * chunk_ms / 5000
        if len(words) * word_ms <= i * chunk_ms:
            word = WORDS[len(words) % len(WORDS)] + " "
            words.append(word)
            yield server("response.output_audio_transcript.delta", t, **c, delta=word)
        yield server("response.output_audio.delta", t, **c, delta=chunk)
    t = t0 + chunks * chunk_ms / 5000
    transcript = "".join(words)
    yield server("response.output_audio.done", t, **c)
    yield server("response.output_audio_transcript.done", t, **c, transcript=transcript)
    yield server("response.content_part.done", t, **c, part={"type": "audio", "transcript": transcript})
    done = {**added, "status": "completed", "content": [{"type": "output_audio", "transcript": transcript}]}
    yield server("conversation.item.done", t, item=done)
    yield server("response.output_item.done", t, response_id=resp, output_index=0, item=done)
    usage = {"total_tokens": 400, "input_tokens": 150, "output_tokens": 250}
    yield server("response.done", t, response={**{"id": resp, "status": "completed"}, "output": [done], "usage": usage})
    yield server("rate_limits.updated", t + 0.04, rate_limits=[{"name": "tokens", "limit": 40000, "remaining": 39000}])


class InspectorOnly(App[None]):
    """The pane alone, fed what the app would feed it: its own share of the growth."""

    def compose(self) -> ComposeResult:
        yield InspectorPane(id="inspector")

    def ingest(self, event: Event) -> None:
        self.query_one(InspectorPane).add_event(event)

    @property
    def conversation(self) -> Any:
        return Conversation.empty()


def deep_size(root: object, seen: set[int]) -> tuple[int, int]:
    """(bytes, objects) reachable from `root` and not in `seen` (which it extends); classes and modules excluded."""
    size = count = 0
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.FunctionType)):
            continue
        seen.add(id(obj))
        size += sys.getsizeof(obj)
        count += 1
        stack.extend(gc.get_referents(obj))
    return size, count


class FlushTimer:
    """Wraps the pane's `flush` (the app and the pane's timer both call it by name): the longest one, wall and CPU."""

    def __init__(self, pane: InspectorPane) -> None:
        self.flush = pane.flush
        pane.flush = self  # type: ignore[method-assign]
        self.reset()

    def reset(self) -> None:
        self.worst_wall = self.worst_cpu = 0.0
        self.calls = self.over_20ms = 0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        self.flush(*args, **kwargs)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        self.calls += 1
        self.over_20ms += cpu > 0.020
        self.worst_wall, self.worst_cpu = max(self.worst_wall, wall), max(self.worst_cpu, cpu)

    def report(self, label: str) -> str:
        return (f"{label}: {self.calls:,} flushes, longest {self.worst_cpu * 1000:.1f} ms CPU "
                f"({self.worst_wall * 1000:.1f} ms wall), {self.over_20ms} over 20 ms CPU")


async def feed(app: Any, pilot: Any, events: Iterator[Event], report: Callable[[Event, int], None] | None = None) -> int:
    count = 0
    for event in events:
        app.ingest(event)
        count += 1
        if count % 500 == 0:
            await pilot.pause(0)  # let timers flush the inspector and render, as a real loop would
        if report is not None:
            report(event, count)
    await pilot.pause(0.3)
    return count


def later(minutes: float, offset_s: float) -> Iterator[Event]:
    """More of the session, `offset_s` seconds on (fresh ids, later times)."""
    for event in voice_session(minutes):
        payload = {k: (f"{v}_x" if k in ("item_id", "event_id", "response_id") else v) for k, v in event.payload.items()}
        yield Event(event.direction, event.type, payload, event.t + offset_s, event.wire_type, event.size)


def print_parts(app: Any, pane: InspectorPane, growth: float) -> None:
    seen: set[int] = set()
    log = pane.event_log
    ring, ring_objects = deep_size(log, seen)
    rows, row_objects = deep_size(pane.view, seen)
    reducer, reducer_objects = deep_size(app.conversation, seen)
    kept = max(1, len(log))
    print(f"  inspector ring: {ring / 2**20:6.2f} MB in {ring_objects:,} objects = {ring / kept:.0f} B per kept event")
    print(f"  inspector rows: {rows / 2**20:6.2f} MB in {row_objects:,} objects for {len(pane.view.rows):,} rows"
          f" = {rows / kept:.0f} B per kept event")
    print(f"  reducer:        {reducer / 2**20:6.2f} MB in {reducer_objects:,} objects for {len(app.conversation.turns):,} turns")
    print(f"  rest:           {growth - (ring + rows + reducer) / 2**20:6.2f} MB (widgets, caches, allocator slack)")
    per_event = (ring + rows) / kept
    print(f"  inspector: {per_event:.0f} B per kept event (target ≤ 150: {'met' if per_event <= 150 else 'NOT met'})")


async def main(minutes: float, pane_only: bool) -> None:
    if pane_only:
        app: Any = InspectorOnly()
    else:
        app = make_app(Settings(target=Target("local", "", "gpt-realtime")), connect=False, cursor_blink=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause(0.5)
        if hasattr(app, "gc_pacer"):
            app.gc_pacer.start()  # as the app does in a terminal (run_test is headless)
        pane = app.query_one(InspectorPane)
        flushes = FlushTimer(pane)
        gc.collect()
        start_rss, started, load = rss_mb(), time.perf_counter(), os.getloadavg()[0]
        print(f"{'simulated':>9} {'events':>9} {'ring':>7} {'dropped':>9} {'RSS MB':>8} {'growth':>7}")
        print(f"{'0 min':>9} {0:>9,} {0:>7,} {0:>9,} {start_rss:>8.1f} {0:>7.1f}")
        next_report = [600.0]

        def report(event: Event, count: int) -> None:
            if event.t >= next_report[0]:
                gc.collect()  # the app's pacer runs a full collection at least every 5 (real) minutes
                log = pane.event_log
                print(f"{event.t / 60:>5.0f} min {count:>9,} {len(log):>7,} {log.dropped:>9,} {rss_mb():>8.1f} "
                      f"{rss_mb() - start_rss:>7.1f}")
                next_report[0] += 600.0

        count = await feed(app, pilot, voice_session(minutes), report)
        while pane.event_log.total < count:  # the last batches, at the pane's own pace
            await pilot.pause(0.05)
        gc.collect()
        growth = rss_mb() - start_rss
        wall = time.perf_counter() - started
        print(f"{count:,} events ({minutes:g} simulated minutes) in {wall:.0f} s wall = ×{minutes * 60 / wall:.0f} real time"
              f" (load average {load:.1f} on {os.cpu_count()} cores)")
        print(f"conversation turns kept: {len(app.conversation.turns):,}")
        print(f"RSS growth: {growth:.1f} MB (target ≤ 50 MB: {'met' if growth <= 50 else 'NOT met'})")
        print_parts(app, pane, growth)
        collect_start = time.perf_counter()
        gc.collect()
        print(f"one full garbage collection: {(time.perf_counter() - collect_start) * 1000:.1f} ms")

        worst = flushes.worst_cpu
        print(flushes.report("inspector flushes over the hour"))
        offset = minutes * 60 + TURN_S
        for label, query, expand in (("free-text filter 'answer', following", "answer", False),
                                     ("'dir:client', its run expanded, paused", "dir:client", True)):
            pane.filter_input.value = query
            pane.apply_filter()
            await pilot.pause(pane.filter_delay + 0.2)  # the typed filter's own (debounced) apply, and the rebuild
            if expand:
                pane.rows.move_cursor(0)
                pane.action_toggle_expand()
                pane.rows.move_cursor(pane.rows.line_count // 2)  # as by the user: the list stays put
            flushes.reset()
            await feed(app, pilot, later(2, offset))
            offset += 2 * 60 + TURN_S
            print(flushes.report(f"then 2 minutes with {label} ({pane.rows.line_count:,} lines)"))
            worst = max(worst, flushes.worst_cpu)
        print(f"longest flush: {worst * 1000:.1f} ms CPU (target ≤ 20 ms: {'met' if worst <= 0.020 else 'NOT met'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--pane-only", action="store_true", help="the inspector pane alone in a bare app")
    args = parser.parse_args()
    asyncio.run(main(args.minutes, args.pane_only))
