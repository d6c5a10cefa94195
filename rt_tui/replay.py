"""`rt-tui replay FILE.jsonl [--speed X]`: a recorded session played back into the full UI, no network.

The app is built with `make_app(settings, connect=False)` (no worker, no emulator) and the recording's
events are fed to `app.ingest` — the same path live events take — so the reducer rebuilds the
conversation exactly. Audio comes back from the WAV tracks beside the recording, or as silence of the
recorded length. Malformed lines are reported with their line numbers and skipped. The file is read
twice (looked over first, then streamed during the replay), so a long recording is never all in memory.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rt_tui.core.eventlog import AUDIO_DELTA_TYPES
from rt_tui.core.events import Event
from rt_tui.core.recording import (MIC_APPEND_TYPE, AudioRestorer, LineProblem, RecordingContents, RecordingSurvey,
                                   survey_recording)

YIELD_EVERY = 200  # events fed between forced yields, so a fast replay never starves the UI
MAX_PAUSE_S = 10.0  # a longer pause between two recorded events is replayed as this long
LEVELS_EVERY_S = 0.1  # the replayed mic/speaker meters move at the live meters' rate


class ReplaySource:
    """Feeds recorded events to `emit` at their recorded pace divided by `speed` (inf = as fast as possible)."""

    def __init__(
        self,
        contents: RecordingContents | RecordingSurvey,
        *,
        speed: float = 1.0,
        restorer: AudioRestorer | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if not speed > 0:
            raise ValueError("speed must be greater than 0")
        self.contents = contents
        self.speed = speed
        self.restorer = restorer or AudioRestorer()
        self.clock = clock
        self.sleep = sleep
        self.emitted = 0
        self.skipped_s = 0.0  # recorded time left out: pauses longer than MAX_PAUSE_S are shortened to it

    async def run(self, emit: Callable[[Event], None]) -> int:
        start, first_t, previous_t = self.clock(), None, None
        for index, (event, audio_bytes) in enumerate(self.contents.pairs()):
            if first_t is None:
                first_t = previous_t = event.t
            if event.t - previous_t > MAX_PAUSE_S:  # an idle hour (or a bad timestamp) is not waited out
                self.skipped_s += event.t - previous_t - MAX_PAUSE_S
            previous_t = max(previous_t, event.t)
            if math.isfinite(self.speed):
                delay = start + (event.t - first_t - self.skipped_s) / self.speed - self.clock()
                if delay > 0.001:
                    await self.sleep(delay)
            if index % YIELD_EVERY == YIELD_EVERY - 1:
                await self.sleep(0)
            emit(self.restorer.restore(event, audio_bytes))
            self.emitted += 1
        self.restorer.close()
        return self.emitted


class ReplayLevels:
    """The mic and speaker meters during a replay: the RMS of a replayed chunk per track, at most every
    LEVELS_EVERY_S (only that chunk is decoded); a track with no audio for twice that long shows 0."""

    def __init__(self, show: Callable[[float | None, float | None], None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.show = show
        self.clock = clock
        self.levels: dict[str, float | None] = {"mic": None, "speaker": None}
        self._heard_at = {"mic": -math.inf, "speaker": -math.inf}
        self._measured_at = {"mic": -math.inf, "speaker": -math.inf}

    def feed(self, event: Event) -> None:
        if event.type == MIC_APPEND_TYPE and event.direction == "client":
            track, key = "mic", "audio"
        elif event.type in AUDIO_DELTA_TYPES and event.direction == "server":
            track, key = "speaker", "delta"
        else:
            return
        now = self._heard_at[track] = self.clock()
        if now - self._measured_at[track] < LEVELS_EVERY_S:
            return
        try:
            pcm = base64.b64decode(event.payload.get(key) or "")
        except (ValueError, TypeError):
            return
        import numpy as np  # loaded only when a replay has audio

        from rt_tui.core.audio import Levels

        level = Levels()
        level.update(np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2"))
        self.levels[track], self._measured_at[track] = level.rms, now
        self._update(now)

    def finish(self) -> None:
        self._update(math.inf)

    def _update(self, now: float) -> None:
        for track, level in self.levels.items():
            if level is not None and now - self._heard_at[track] > 2 * LEVELS_EVERY_S:
                self.levels[track] = 0.0
        self.show(self.levels["mic"], self.levels["speaker"])


PROBLEMS_LISTED = 20  # a wrong file (a WAV, a log) would otherwise print a line per line of it


def describe_problems(file: str, problems: list[LineProblem]) -> list[str]:
    lines = [f"{file}:{p.line}: skipped: {p.message}" for p in problems[:PROBLEMS_LISTED]]
    if len(problems) > PROBLEMS_LISTED:
        lines.append(f"{file}: … and {len(problems) - PROBLEMS_LISTED:,} more malformed lines skipped "
                     f"(last: line {problems[-1].line})")
    return lines


def replay_settings(contents: RecordingContents | RecordingSurvey) -> Any:
    """Settings for an offline app: the local provider, the recorded model and dialect, never connected."""
    from rt_tui.config import DEFAULT_MODEL, Settings, Target

    if isinstance(contents, RecordingContents):
        contents = _survey_of(contents)
    model = contents.model or DEFAULT_MODEL
    return Settings(target=Target("local", "", model, dialect="beta" if contents.beta else "ga"), record=None)


def _survey_of(contents: RecordingContents) -> RecordingSurvey:
    survey = RecordingSurvey(Path(), count=contents.count, problems=contents.problems)
    for event in contents.events:
        if event.type in ("session.created", "session.updated"):
            survey.model = (event.payload.get("session") or {}).get("model") or None
            break
    survey.beta = any(e.wire_type and e.wire_type != e.type for e in contents.events)
    return survey


def run(args: argparse.Namespace) -> int:
    file = Path(args.file)
    speed = getattr(args, "speed", None)
    speed = 1.0 if speed is None else float(speed)
    if not speed > 0:
        print("rt-tui replay: --speed must be greater than 0", file=sys.stderr)
        return 2
    try:
        contents = survey_recording(file)
    except OSError as exc:
        print(f"rt-tui replay: cannot read {file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    messages = describe_problems(str(file), contents.problems)
    for line in messages:
        print(line, file=sys.stderr)
    if not contents.count:
        print(f"rt-tui replay: {file} holds no readable events", file=sys.stderr)
        return 1

    app, source = build_replay_app(file, contents, speed)

    async def autopilot(pilot: Any) -> None:
        start_replay(app, source, file, contents.problems)

    return app.run(auto_pilot=autopilot) or 0


def build_replay_app(file: Path, contents: RecordingContents | RecordingSurvey, speed: float) -> tuple[Any, ReplaySource]:
    """The offline app (`make_app(settings, connect=False)`) and the source that will feed it."""
    from rt_tui.ui.app import make_app

    app = make_app(replay_settings(contents), connect=False)
    return app, ReplaySource(contents, speed=speed, restorer=AudioRestorer(file))


def start_replay(app: Any, source: ReplaySource, file: Path, problems: list[LineProblem]) -> Any:
    """Once the app runs: say what is replayed (and what was skipped), start feeding events; returns the worker."""
    app.sub_title = f"REPLAY of {file.name} — recorded events, no network"  # not "local emulator": nothing runs
    app.status_bar.set_target(f"replay of {file.name} at ×{source.speed:g}")
    note = (f"Replaying {file.name}: {source.contents.count:,} events at ×{source.speed:g} "
            f"(pauses over {MAX_PAUSE_S:g} s are shortened)")
    if problems:
        lines = ", ".join(str(p.line) for p in problems[:10]) + (", …" if len(problems) > 10 else "")
        note += f"; {len(problems)} malformed line(s) skipped: {lines}"
    app.notify(note, timeout=8, severity="warning" if problems else "information", markup=False)
    return app.run_worker(_play(app, source), group="replay", name="replay", exit_on_error=False)


async def _play(app: Any, source: ReplaySource) -> None:
    levels = ReplayLevels(app.set_levels)

    def emit(event: Event) -> None:
        app.ingest(event)
        levels.feed(event)

    count = await source.run(emit)
    levels.finish()
    app.notify(f"Replay finished: {count:,} events.", timeout=5)
