"""Full garbage collections paced to quiet moments, so they never land in the middle of an event flood.

A full (generation 2) collection walks every tracked object: with the screen's widgets and caches
that took 100–400 ms on a loaded machine, a visible freeze of input and rendering. (The inspector's
ring is a few hundred objects since its columnar storage: a full ring adds ~0.3 ms, it was ~20 ms.)
The startup objects (Textual, widgets, themes) live all session, so they are frozen out of every
collection; automatic full collections are switched off and run instead when no event has arrived
for `quiet_s`, at most every `min_interval_s`, and in any case after `max_interval_s` (memory stays
bounded even in an endless flood). Young generations are collected as usual.
"""

from __future__ import annotations

import gc
import time
from typing import Callable

NO_AUTOMATIC_FULL_COLLECTION = 1_000_000  # gen1 collections before Python would run a full one itself


class GcPacer:
    def __init__(self, *, quiet_s: float = 1.0, min_interval_s: float = 20.0, max_interval_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet_s = quiet_s
        self.min_interval_s = min_interval_s
        self.max_interval_s = max_interval_s
        self.clock = clock
        self.last_activity = clock()
        self.last_full = clock()
        self.full_collections = 0
        self._saved_threshold: tuple[int, int, int] | None = None

    @property
    def active(self) -> bool:
        return self._saved_threshold is not None

    def start(self) -> None:
        """Freeze what exists now (call once the first screen is up) and take over full collections."""
        if self.active:
            return
        gc.collect()
        gc.freeze()
        self._saved_threshold = gc.get_threshold()
        young, middle, _ = self._saved_threshold
        gc.set_threshold(young, middle, NO_AUTOMATIC_FULL_COLLECTION)
        self.last_full = self.clock()

    def stop(self) -> None:
        """Give full collections back to Python (the frozen startup objects stay frozen)."""
        if self._saved_threshold is not None:
            gc.set_threshold(*self._saved_threshold)
            self._saved_threshold = None

    def activity(self) -> None:
        """An event arrived (cheap: called for every event)."""
        self.last_activity = self.clock()

    def tick(self) -> bool:
        """Call about once a second; runs a full collection when it is due. True when it ran one."""
        if not self.active:
            return False
        now = self.clock()
        since_full = now - self.last_full
        quiet = now - self.last_activity >= self.quiet_s
        if not (since_full >= self.max_interval_s or (quiet and since_full >= self.min_interval_s)):
            return False
        gc.collect()
        self.last_full = self.clock()
        self.full_collections += 1
        return True
