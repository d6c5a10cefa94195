"""Audio devices: loading PortAudio safely, listing devices, choosing one by name or index.

`sounddevice` is imported only inside functions: PortAudio enumerates devices when it initialises,
so the environment (e.g. the virtual PulseAudio's PULSE_SERVER) must be set before the first import.
Every failure becomes `AudioUnavailable(reason)` with a one-line reason; text chat never depends on it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

SAMPLE_RATE = 24_000
Kind = Literal["input", "output"]


class AudioUnavailable(Exception):
    """Audio cannot be used; `reason` is one line meant for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Speaker buffering: "auto" (adaptive, see AudioEngine), PortAudio's "low"/"high", or milliseconds.
OUTPUT_LATENCY_CHOICES = ("auto", "low", "high")
OUTPUT_LATENCY_MS_RANGE = (10, 500)


def parse_output_latency(value: object) -> str | float:
    """A configured speaker buffering → "auto", "low", "high" or seconds; ValueError with the reason."""
    text = str(value).strip().lower()
    if text in OUTPUT_LATENCY_CHOICES:
        return text
    low, high = OUTPUT_LATENCY_MS_RANGE
    reason = f"must be auto, low, high or milliseconds from {low} to {high} (got {value!r})"
    if isinstance(value, bool):
        raise ValueError(reason)
    try:
        ms = float(text.removesuffix("ms").strip())
    except ValueError:
        raise ValueError(reason) from None
    if not low <= ms <= high:
        raise ValueError(reason)
    return ms / 1000


def load_sounddevice() -> ModuleType:
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio shared library is missing
        raise AudioUnavailable(f"PortAudio is not available (install libportaudio2): {one_line(exc)}") from exc
    except ImportError as exc:
        raise AudioUnavailable(f"the sounddevice package is not installed: {one_line(exc)}") from exc
    return sounddevice


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    input_24k_mono: bool
    output_24k_mono: bool
    is_default_input: bool
    is_default_output: bool


def supports(sd: ModuleType, index: int, kind: Kind, samplerate: float) -> bool:
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=index, channels=1, dtype="int16", samplerate=samplerate)
    except Exception:  # PortAudioError or ValueError: this combination is refused
        return False
    return True


def _default_indices(sd: ModuleType) -> tuple[int, int]:
    default_in, default_out = sd.default.device
    return int(default_in if default_in is not None else -1), int(default_out if default_out is not None else -1)


def list_devices() -> list[DeviceInfo]:
    sd = load_sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in, default_out = _default_indices(sd)
    except Exception as exc:
        raise AudioUnavailable(f"cannot list audio devices: {one_line(exc)}") from exc
    infos = []
    for index, dev in enumerate(devices):
        has_in, has_out = dev["max_input_channels"] > 0, dev["max_output_channels"] > 0
        infos.append(
            DeviceInfo(
                index=index,
                name=dev["name"],
                hostapi=hostapis[dev["hostapi"]]["name"],
                max_input_channels=dev["max_input_channels"],
                max_output_channels=dev["max_output_channels"],
                default_samplerate=float(dev["default_samplerate"]),
                input_24k_mono=has_in and supports(sd, index, "input", SAMPLE_RATE),
                output_24k_mono=has_out and supports(sd, index, "output", SAMPLE_RATE),
                is_default_input=index == default_in,
                is_default_output=index == default_out,
            )
        )
    return infos


def resolve_device(spec: int | str | None, kind: Kind) -> DeviceInfo:
    """The device for `spec`: None = the system default, an index, or a (case-insensitive) name part."""
    devices = list_devices()
    usable = [d for d in devices if (d.max_input_channels if kind == "input" else d.max_output_channels) > 0]
    if not usable:
        raise AudioUnavailable(f"no audio {kind} device found")
    if spec is None or spec == "":
        default = [d for d in usable if (d.is_default_input if kind == "input" else d.is_default_output)]
        return default[0] if default else usable[0]
    if isinstance(spec, int) or str(spec).strip().isdigit():
        index = int(spec)
        for dev in usable:
            if dev.index == index:
                return dev
        raise AudioUnavailable(f"no audio {kind} device with index {index}")
    wanted = str(spec).strip().lower()
    exact = [d for d in usable if d.name.lower() == wanted]
    partial = exact or [d for d in usable if wanted in d.name.lower()]
    if len(partial) == 1 or exact:
        return partial[0]
    if not partial:
        raise AudioUnavailable(f"no audio {kind} device named '{spec}'")
    names = ", ".join(f"{d.index}: {d.name}" for d in partial)
    raise AudioUnavailable(f"'{spec}' matches several {kind} devices ({names}); use the index")


_HEADSET_WORDS = ("headset", "headphone", "earphone", "earbud", "airpods", "buds", "hands-free", "handsfree", "bluez", "bluetooth")


def headset_likely(output_name: str) -> bool:
    """A guess from the output device's name: False means the assistant may hear itself (suggest half-duplex)."""
    name = output_name.lower()
    return any(word in name for word in _HEADSET_WORDS)


def describe_devices() -> list[str]:
    """Lines for `rt-tui devices`: one per device, or one line saying why there are none."""
    try:
        devices = list_devices()
    except AudioUnavailable as exc:
        return [f"Audio unavailable: {exc.reason}"]
    if not devices:
        return ["No audio devices found."]
    lines = []
    for dev in devices:
        roles = []
        if dev.max_input_channels:
            mark = "default " if dev.is_default_input else ""
            roles.append(f"{mark}input ({_rate_note(dev.input_24k_mono)})")
        if dev.max_output_channels:
            mark = "default " if dev.is_default_output else ""
            roles.append(f"{mark}output ({_rate_note(dev.output_24k_mono)})")
        lines.append(
            f"{dev.index:>3}  {dev.name} [{dev.hostapi}]  default {dev.default_samplerate:g} Hz  " + ", ".join(roles)
        )
    return lines


def _rate_note(ok_24k: bool) -> str:
    return "24 kHz mono ok" if ok_24k else "resampled to 24 kHz"


def run(args: argparse.Namespace) -> int:
    lines = describe_devices()
    for line in lines:
        print(line)
    return 1 if lines and lines[0].startswith("Audio unavailable") else 0


if __name__ == "__main__":
    sys.exit(run(argparse.Namespace()))
