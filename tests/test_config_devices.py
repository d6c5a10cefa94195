"""Audio devices from flags, environment and the config file (precedence flag > env > file > default)."""

from __future__ import annotations

import pytest

from rt_tui.cli import build_parser
from rt_tui.config import ConfigError, load_settings


def _settings(tmp_path, argv=(), env=None, file_text=""):
    config = tmp_path / "config.toml"
    config.write_text(file_text, encoding="utf-8")
    args = build_parser().parse_args(["--config", str(config), *argv])
    return load_settings(args, env=env or {})


def test_devices_default_to_the_system_ones(tmp_path):
    settings = _settings(tmp_path)
    assert (settings.input_device, settings.output_device) == (None, None)


def test_flag_beats_environment_beats_file(tmp_path):
    file_text = 'input_device = "USB Mic"\noutput_device = 3\n'
    from_file = _settings(tmp_path, file_text=file_text)
    assert (from_file.input_device, from_file.output_device) == ("USB Mic", "3")  # an index may be an integer
    env = {"RT_TUI_INPUT_DEVICE": "pulse", "RT_TUI_OUTPUT_DEVICE": "Headphones"}
    from_env = _settings(tmp_path, env=env, file_text=file_text)
    assert (from_env.input_device, from_env.output_device) == ("pulse", "Headphones")
    from_flags = _settings(tmp_path, ["--input-device", "2", "--output-device", "default"], env=env,
                           file_text=file_text)
    assert (from_flags.input_device, from_flags.output_device) == ("2", "default")


def test_an_unknown_file_key_still_names_the_device_keys(tmp_path):
    with pytest.raises(ConfigError) as caught:
        _settings(tmp_path, file_text='input_devise = "pulse"\n')
    assert "input_device" in caught.value.message and "output_device" in caught.value.message


def test_doctor_accepts_the_device_flags_too():
    args = build_parser().parse_args(["doctor", "--input-device", "1"])
    assert args.input_device == "1"
