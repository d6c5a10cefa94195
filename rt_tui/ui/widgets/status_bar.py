"""One-line status: connection, target, dialect, session timer with limit countdown, tokens, levels."""

from __future__ import annotations

from typing import Any, Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from rt_tui.ui.widgets.text_updates import set_line


_BARS = " ▁▂▃▄▅▆▇█"
TOKENS_MIN_WIDTH = 22  # "tokens 12345 in/123 out": room for a long session before the label must widen


def level_bar(level: float | None, width: int = 4) -> str:
    """A tiny meter for a 0..1 level; "—" when no level is known (audio not running)."""
    if level is None:
        return "—"
    level = min(max(level, 0.0), 1.0)
    full = level * width
    cells = []
    for i in range(width):
        fill = min(max(full - i, 0.0), 1.0)
        cells.append(_BARS[round(fill * (len(_BARS) - 1))])
    return "".join(cells)


def clock_text(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class StatusBar(Horizontal):
    """The app pushes values in; the bar only formats them. `clock` is injectable for snapshots."""

    def __init__(self, clock: Callable[[], float], limit_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.limit_s = limit_s
        self.session_started: float | None = None
        self.mic_level: float | None = None
        self.speaker_level: float | None = None
        self._state = Label("connecting", id="status-state", classes="-connecting", markup=False)  # server text
        self._target = Label("", id="status-target", markup=False)  # host and model as configured
        self._timer = Label("", id="status-timer")
        self._tokens = Label("", id="status-tokens")
        self._tokens_width = TOKENS_MIN_WIDTH
        self._levels = Label("", id="status-levels", markup=False)  # device problems

    def compose(self) -> ComposeResult:
        yield self._state
        yield self._target
        yield self._tokens
        yield self._timer
        yield self._levels

    def on_mount(self) -> None:
        self.refresh_timer()
        self.set_levels(None, None)

    def set_state(self, state: str, message: str = "") -> None:
        for name in ("connecting", "connected", "reconnecting", "disconnected", "failed", "offline"):
            self._state.set_class(name == state, f"-{name}")
        set_line(self._state, f"{state}: {message}" if message and state in ("failed", "reconnecting") else state)

    def set_target(self, text: str) -> None:
        set_line(self._target, text)

    def set_usage(self, usage: Any) -> None:
        if usage is None:
            set_line(self._tokens, "")
            return
        tokens_in = int(getattr(usage, "input_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "output_tokens", 0) or 0)
        text = f"tokens {tokens_in} in/{tokens_out} out"
        # the label starts wide and only ever widens: a wider label lays out the whole screen (20-30 ms)
        self._tokens_width = max(self._tokens_width, len(text))
        set_line(self._tokens, text.rjust(self._tokens_width))

    def start_session(self) -> None:
        self.session_started = self._clock()
        self.refresh_timer()

    def refresh_timer(self) -> None:
        if self.session_started is None:
            set_line(self._timer, "no session")
            return
        elapsed = self._clock() - self.session_started
        left = self.limit_s - elapsed
        set_line(self._timer, f"{clock_text(elapsed)} ({clock_text(left)} left)")
        self._timer.set_class(left < 300, "-ending")

    def set_levels(self, mic: float | None, speaker: float | None) -> None:
        if (mic, speaker) == (self.mic_level, self.speaker_level) and self._levels.has_class("-levels"):
            return
        self.mic_level, self.speaker_level = mic, speaker
        self._levels.set_classes("-levels")
        set_line(self._levels, f"mic {level_bar(mic)} spk {level_bar(speaker)}")

    def set_voice_unavailable(self, reason: str) -> None:
        """The one line that says voice is off and why (text chat still works)."""
        self._levels.set_classes("-unavailable")
        set_line(self._levels, f"voice unavailable: {reason}")
        self._levels.tooltip = Content(reason)
