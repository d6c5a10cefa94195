"""Audio pieces that need no device: resampler, levels, and the failure reasons without PortAudio."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rt_tui.core.audio import Levels
from rt_tui.core.devices import headset_likely
from rt_tui.core.resample import LinearResampler, resample_pcm16


def sine(rate: int, seconds: float, hz: float) -> np.ndarray:
    return (10_000 * np.sin(2 * np.pi * hz * np.arange(int(rate * seconds)) / rate)).astype(np.int16)


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(float)))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize(("rate_in", "rate_out"), [(24_000, 48_000), (48_000, 24_000), (44_100, 24_000), (24_000, 44_100), (96_000, 24_000), (16_000, 24_000)])
def test_resampler_keeps_pitch_and_length_and_chunking_does_not_matter(rate_in, rate_out):
    x = sine(rate_in, 1.0, 440.0)
    whole = LinearResampler(rate_in, rate_out).process(x)
    chunked = LinearResampler(rate_in, rate_out)
    parts = np.concatenate([chunked.process(x[i : i + 137]) for i in range(0, len(x), 137)])
    assert abs(len(whole) - rate_out) <= 2 and len(parts) == len(whole)
    assert np.abs(parts.astype(int) - whole).max() <= 1
    assert dominant_hz(whole, rate_out) == pytest.approx(440.0, abs=2)


def test_resample_pcm16_one_shot():
    pcm = sine(22_050, 0.5, 300.0).tobytes()
    out = resample_pcm16(pcm, 22_050, 24_000)
    assert abs(len(out) // 2 - 12_000) <= 2


def test_levels_rms_and_peak():
    levels = Levels()
    levels.update(np.full(480, 16384, dtype=np.int16))
    assert levels.rms == pytest.approx(0.5) and levels.peak == pytest.approx(0.5)
    levels.update(np.zeros(0, dtype=np.int16))
    assert levels.rms == 0.0 and levels.peak == 0.0


def run_isolated(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=60)


def test_missing_portaudio_gives_a_one_line_reason_and_no_crash():
    # ctypes cannot find libportaudio: exactly what sounddevice sees when libportaudio2 is not installed.
    result = run_isolated(
        """
        import ctypes.util
        ctypes.util.find_library = lambda name: None
        from rt_tui.core.audio import AudioEngine, AudioUnavailable
        from rt_tui.core.devices import describe_devices
        print(describe_devices()[0])
        try:
            AudioEngine().start()
        except AudioUnavailable as exc:
            print("REASON", exc.reason)
        """,
        dict(os.environ),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Audio unavailable: PortAudio is not available (install libportaudio2): PortAudio library not found"
    assert lines[1].startswith("REASON PortAudio is not available") and len(lines) == 2


def test_no_audio_server_means_no_devices_and_a_clear_reason(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env["PULSE_SERVER"] = f"unix:{tmp_path}/nothing-listens-here"
    result = run_isolated(
        """
        import sounddevice
        if sounddevice.query_devices():
            print("HAS-DEVICES")
        from rt_tui.core.audio import AudioEngine, AudioUnavailable
        from rt_tui.core.devices import describe_devices
        print(describe_devices()[0])
        try:
            AudioEngine().start()
        except AudioUnavailable as exc:
            print("REASON", exc.reason)
        """,
        env,
    )
    assert result.returncode == 0, result.stderr
    if "HAS-DEVICES" in result.stdout:
        pytest.skip("this machine has real sound hardware, so 'no devices' cannot be arranged")
    assert result.stdout.splitlines() == ["No audio devices found.", "REASON no audio output device found"]


def test_headset_guess_from_the_output_name():
    assert headset_likely("Jabra Evolve2 Headset") and headset_likely("bluez_sink.AA_BB.a2dp_sink")
    assert not headset_likely("Built-in Audio Analog Stereo") and not headset_likely("default")


@pytest.mark.parametrize(("value", "expected"), [("auto", "auto"), ("LOW", "low"), (" high ", "high"), (60, 0.06),
                                                  ("60", 0.06), ("25ms", 0.025), (10, 0.01), (500, 0.5)])
def test_output_latency_settings_are_parsed(value, expected):
    from rt_tui.core.devices import parse_output_latency

    assert parse_output_latency(value) == expected


@pytest.mark.parametrize("value", ["fast", 5, 501, True, "-40"])
def test_bad_output_latency_is_a_config_error_naming_the_variable_and_the_choices(value, tmp_path):
    from rt_tui.config import ConfigError, load_settings

    config = tmp_path / "config.toml"
    config.write_text("")
    with pytest.raises(ConfigError) as info:
        load_settings(None, env={"RT_TUI_CONFIG": str(config), "RT_TUI_OUTPUT_LATENCY": str(value)})
    assert info.value.variable == "RT_TUI_OUTPUT_LATENCY"
    assert "auto, low, high or milliseconds from 10 to 500" in info.value.message
    config.write_text(f"output_latency = {value!r}\n".replace("'", '"').replace("True", "true"))
    with pytest.raises(ConfigError, match="'output_latency' in .*must be auto, low, high or milliseconds"):
        load_settings(None, env={"RT_TUI_CONFIG": str(config)})


def test_output_latency_from_the_file_and_the_environment(tmp_path):
    from rt_tui.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text("output_latency = 80\n")
    assert load_settings(None, env={"RT_TUI_CONFIG": str(config)}).output_latency == 0.08
    assert load_settings(None, env={"RT_TUI_CONFIG": str(config), "RT_TUI_OUTPUT_LATENCY": "low"}).output_latency == "low"
    config.write_text("")
    assert load_settings(None, env={"RT_TUI_CONFIG": str(config)}).output_latency == "auto"
