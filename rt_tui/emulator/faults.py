"""Fault injection on the server → client stream, reproducible from a seed.

Each connection gets its own `random.Random(seed + connection_index)`, so the n-th connection of an
emulator started with the same seed meets the same faults at the same events.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Literal

CloseCode = Literal[1001, 1006, 1011]


@dataclass
class FaultOptions:
    drop_after: int | None = None  # close after this many server events
    drop_random: bool = False  # close at a seeded random event in [5, 60]
    close_code: CloseCode = 1006  # 1006 = no close frame (TCP reset); 1001 / 1011 send a close frame
    delay_rate: float = 0.0  # share of events held back by `delay_ms`
    delay_ms: float = 500.0
    malformed_rate: float = 0.0  # share of events replaced by a frame that is not JSON
    unknown_rate: float = 0.0  # share of events preceded by an event of an unknown type
    oversized_rate: float = 0.0  # share of events padded beyond `oversized_bytes`
    oversized_bytes: int = 2 * 1024 * 1024
    seed: int = 0

    @property
    def active(self) -> bool:
        return bool(self.drop_after is not None or self.drop_random or self.delay_rate or self.malformed_rate
                    or self.unknown_rate or self.oversized_rate)


@dataclass
class Plan:
    """What to do with one outgoing event."""

    frames: list[str]
    delay_s: float = 0.0
    close_after: bool = False


class FaultInjector:
    def __init__(self, options: FaultOptions, connection_index: int) -> None:
        self.options = options
        self.rng = random.Random(options.seed * 1_000_003 + connection_index)
        self.sent = 0
        self.drop_at = options.drop_after
        if options.drop_random:
            self.drop_at = self.rng.randint(5, 60)

    def plan(self, frame: str, event: dict[str, Any]) -> Plan:
        o = self.options
        self.sent += 1
        rolls = [self.rng.random() for _ in range(4)]  # always four draws: the sequence depends on the seed only
        plan = Plan([frame])
        if rolls[0] < o.unknown_rate:
            plan.frames.insert(0, json.dumps({"type": "emulator.unknown_fault", "event_id": "event_fault"}))
        if rolls[1] < o.malformed_rate:
            plan.frames[-1] = frame[: max(1, len(frame) // 2)]  # truncated JSON
        elif rolls[2] < o.oversized_rate:
            padded = dict(event, emulator_padding="x" * o.oversized_bytes)
            plan.frames[-1] = json.dumps(padded)
        if rolls[3] < o.delay_rate:
            plan.delay_s = o.delay_ms / 1000
        if self.drop_at is not None and self.sent >= self.drop_at:
            plan.close_after = True
        return plan
