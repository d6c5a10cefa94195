"""Shared pieces of the RealtimeWorker tests: a recorder of events/statuses and a running worker."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from typing import Any, AsyncIterator, Callable

from rt_tui.config import Target
from rt_tui.core.connection import ConnectionStatus, RealtimeWorker
from rt_tui.core.events import Event
from rt_tui.core.session import SessionConfig
from rt_tui.emulator.options import EmulatorOptions

FAST = dict(first_delta_ms=5.0, text_delta_ms=1.0, realtime_factor=50.0, ping_interval_s=None)


def fast_options(**changes: Any) -> EmulatorOptions:
    return EmulatorOptions(**{**FAST, **changes})


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.statuses: list[ConnectionStatus] = []
        self._changed = asyncio.Event()

    def on_event(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    def on_status(self, status: ConnectionStatus) -> None:
        self.statuses.append(status)
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                states = [(s.state, s.message[:80]) for s in self.statuses]
                raise AssertionError(f"timed out waiting for {what or predicate}; statuses: {states}")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    def states(self) -> list[str]:
        return [s.state for s in self.statuses]

    def count(self, state: str) -> int:
        return self.states().count(state)

    def server(self, type_: str) -> list[Event]:
        return [e for e in self.events if e.direction == "server" and e.type == type_]

    def client(self, type_: str | None = None) -> list[Event]:
        return [e for e in self.events if e.direction == "client" and (type_ is None or e.type == type_)]

    def reply_texts(self) -> list[str]:
        return [e.payload.get("text", "") for e in self.server("response.output_text.done")]


@contextlib.asynccontextmanager
async def running_worker(target: Target, config: SessionConfig | None = None, **kwargs: Any
                         ) -> AsyncIterator[tuple[RealtimeWorker, Recorder]]:
    recorder = Recorder()
    kwargs.setdefault("initial_delay", 0.05)
    kwargs.setdefault("max_delay", 0.2)
    worker = RealtimeWorker(target, config or SessionConfig(output_modalities="text"), recorder.on_event,
                            recorder.on_status, **kwargs)
    task = asyncio.create_task(worker.run())
    try:
        yield worker, recorder
    finally:
        await worker.stop()
        await asyncio.wait_for(task, 10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
