"""Settings of one emulator instance (CLI flags, the embedded emulator, tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .faults import FaultOptions
from .script import Script


@dataclass
class EmulatorOptions:
    host: str = "127.0.0.1"
    port: int = 0
    api_key: str | None = None
    dialect: Literal["auto", "ga", "beta"] = "auto"
    # Output audio is streamed at this multiple of real time (the service is faster than real time too).
    realtime_factor: float = 4.0
    tls: bool = False
    script: Script = field(default_factory=Script)
    faults: FaultOptions = field(default_factory=FaultOptions)
    seed: int | None = None  # fault-injection seed when `faults.seed` is left at 0
    # `/v1/realtime` with `OpenAI-Beta: realtime=v1`: "reject" like api.openai.com today, or "serve" beta.
    openai_beta: Literal["reject", "serve"] = "reject"
    first_delta_ms: float = 250.0  # response.create → first delta
    text_delta_ms: float = 25.0  # between text deltas of text-only replies
    transcription_delay_ms: float = 400.0  # commit → input transcription events
    # Maximum session length; None = the service's (60 min on /v1, 30 min on Azure routes).
    max_session_s: float | None = None
    ping_interval_s: float | None = 20.0
    # Keep every client and server event in `Emulator.received` / `.sent`, and every session in `.sessions`
    # (tests). The embedded and the CLI emulator turn this off: an hour of voice would keep hundreds of MB.
    record_events: bool = True

    def timing(self) -> "EmulatorOptions":
        """These options with the script's timing knobs applied."""
        knobs = self.script.timing
        if not knobs:
            return self
        merged = EmulatorOptions(**{**self.__dict__})
        for key, value in knobs.items():
            setattr(merged, key, value)
        return merged
