"""The Audio section under Settings: devices, mute, speaker volume, speaker buffering, half-duplex and the
echo hint.

It edits the `ConnectionHost`'s audio preferences (the host owns the devices); it never opens a device.
Its controls' Changed messages stop here, so the session settings form around it never sees them.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Label, Select

from rt_tui.core.devices import (AudioUnavailable, DeviceInfo, headset_likely, list_devices, parse_output_latency,
                                 resolve_device)

DEFAULT = ""  # the Select value for "the system's default device"
VOLUMES = tuple((f"{percent} %", percent) for percent in range(100, -1, -10))
BUFFERING = (("Auto (40 ms, more after a gap)", "auto"), ("Low (device minimum)", "low"), ("High", "high"),
             *((f"{ms} ms", str(ms)) for ms in (20, 40, 60, 80, 120)))
BUFFERING_NOTE = "speaker buffering delays the start of a reply; interrupting is instant either way"
ECHO_HINT = "no headset detected: the assistant may hear itself — consider half-duplex"


class AudioSettings(Vertical):
    """`host` is the app's ConnectionHost: `prefs`, `set_audio(**changes)`, `set_devices(input, output) -> problem`."""

    DEFAULT_CSS = "AudioSettings { height: auto; margin-top: 1; }"

    def __init__(self, host: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.host = host
        self.devices: list[DeviceInfo] = []
        self.devices_problem: str | None = None
        self._shown: dict[str, str] | None = None  # device Select values as last shown; None until listed

    def compose(self) -> ComposeResult:
        prefs = self.host.prefs
        yield Label("Audio", classes="section-title")
        yield Label("Microphone", classes="field-title")
        yield Select(self._options("input"), allow_blank=False, compact=True, id="audio-input", value=DEFAULT)
        yield Label("Speaker", classes="field-title")
        yield Select(self._options("output"), allow_blank=False, compact=True, id="audio-output", value=DEFAULT)
        yield Label("", id="audio-devices-note", classes="field-note", markup=False)
        yield Checkbox("Mute microphone", prefs.mic_muted, id="audio-mute", compact=True)
        yield Label("Speaker volume", classes="field-title")
        yield Select(VOLUMES, allow_blank=False, compact=True, id="audio-volume", value=_percent(prefs.volume))
        yield Label("Speaker buffering", classes="field-title")
        yield Select(_buffering_options(prefs.output_latency), allow_blank=False, compact=True, id="audio-buffering",
                     value=_buffering_value(prefs.output_latency), tooltip=BUFFERING_NOTE)
        yield Checkbox("Half-duplex (mic off while the assistant speaks)", prefs.half_duplex,
                       id="audio-half-duplex", compact=True)
        yield Label("", id="audio-hint", classes="field-note")

    def on_mount(self) -> None:
        self.query_one("#audio-devices-note").display = False
        self.query_one("#audio-hint").display = False
        self._load_devices()

    @work(thread=True, exclusive=True, group="audio-devices")
    def _load_devices(self) -> None:
        """PortAudio enumerates (and probes 24 kHz) off the UI thread."""
        try:
            devices, problem = list_devices(), None
        except AudioUnavailable as exc:
            devices, problem = [], exc.reason
        prefs = self.host.prefs
        chosen = {kind: _resolved(spec, kind) if devices else spec
                  for kind, spec in (("input", prefs.input_device), ("output", prefs.output_device))}
        self.app.call_from_thread(self.show_devices, devices, problem, chosen)

    # ---- showing --------------------------------------------------------------------------------------------

    def show_devices(self, devices: list[DeviceInfo], problem: str | None = None,
                     chosen: dict[str, str | None] | None = None) -> None:
        """Fill the device lists; `chosen` maps "input"/"output" to the configured device's index (as text),
        or to the configured text itself when no device matches it."""
        self.devices, self.devices_problem = devices, problem
        chosen = chosen or {}
        with self.prevent(Select.Changed):
            for kind in ("input", "output"):
                select = self.query_one(f"#audio-{kind}", Select)
                options = self._options(kind)
                spec = chosen.get(kind)
                value = spec or DEFAULT
                if value not in [v for _, v in options]:
                    options.append((Content(f"{spec} (not found)"), value))
                select.set_options(options)
                select.value = value
        self._shown = {kind: str(self.query_one(f"#audio-{kind}", Select).value) for kind in ("input", "output")}
        note = self.query_one("#audio-devices-note", Label)
        note.update(f"devices unavailable: {problem}" if problem else "")
        note.display = bool(problem)
        self.show_hint()

    def _options(self, kind: str) -> list[tuple[str | Content, str]]:
        options = [("System default", DEFAULT)]
        for dev in self.devices:
            if (dev.max_input_channels if kind == "input" else dev.max_output_channels) > 0:
                options.append((Content(f"{dev.index}: {dev.name}"), str(dev.index)))  # names as given
        return options

    def output_device_name(self) -> str:
        """The name of the chosen (or default) speaker, "" when unknown."""
        value = self.query_one("#audio-output", Select).value
        for dev in self.devices:
            if dev.max_output_channels > 0 and (str(dev.index) == value if value != DEFAULT else dev.is_default_output):
                return dev.name
        return ""

    def show_hint(self) -> None:
        hint = self.query_one("#audio-hint", Label)
        name = self.output_device_name()
        needed = bool(name) and not headset_likely(name) and not self.host.prefs.half_duplex
        hint.update(ECHO_HINT if needed else "")
        hint.display = needed

    def reflect_mute(self, muted: bool) -> None:
        """Show a mute toggled elsewhere (the key binding) without sending it back."""
        with self.prevent(Checkbox.Changed):
            self.query_one("#audio-mute", Checkbox).value = muted

    # ---- user changes ----------------------------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "audio-volume":
            self.host.set_audio(volume=int(event.value) / 100)  # type: ignore[arg-type]
            return
        if event.select.id == "audio-buffering":
            latency = parse_output_latency(event.value)
            if latency != self.host.prefs.output_latency:
                self.host.set_audio(output_latency=latency)
            return
        chosen = {kind: str(self.query_one(f"#audio-{kind}", Select).value) for kind in ("input", "output")}
        if self._shown is None or chosen == self._shown:
            return  # Selects announce their initial values too; only a user's choice switches devices
        self._shown = chosen
        problem = self.host.set_devices(*(chosen[kind] or None for kind in ("input", "output")))
        if problem:
            self.notify(problem, severity="warning", timeout=8, markup=False)
        self.show_hint()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        if event.checkbox.id == "audio-mute":
            self.host.set_audio(mic_muted=event.value)
        elif event.checkbox.id == "audio-half-duplex":
            self.host.set_audio(half_duplex=event.value)
            self.show_hint()


def _percent(volume: float) -> int:
    return min(max(round(volume * 10) * 10, 0), 100)


def _buffering_value(latency: str | float) -> str:
    return latency if isinstance(latency, str) else f"{latency * 1000:g}"


def _buffering_options(latency: str | float) -> list[tuple[str, str]]:
    """The choices, plus a configured millisecond value that is not among them."""
    options = list(BUFFERING)
    value = _buffering_value(latency)
    if value not in [v for _, v in options]:
        options.append((f"{value} ms", value))
    return options


def _resolved(spec: str | None, kind: str) -> str | None:
    """A configured device (index or name part) as its index text; the spec itself when nothing matches."""
    if not spec:
        return None
    try:
        return str(resolve_device(spec, kind).index)  # type: ignore[arg-type]
    except AudioUnavailable:
        return spec
