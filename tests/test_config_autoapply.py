"""`autoapply_delay_ms`: the instructions auto-apply delay from the config file or a profile, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from rt_tui.cli import build_parser
from rt_tui.config import AUTOAPPLY_DELAY_MS, ConfigError, load_settings
from rt_tui.profiles import ProfileError, read_profiles


def _settings(tmp_path: Path, text: str, *argv: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(build_parser().parse_args(["--config", str(path), *argv]), env={})


def test_default_top_level_and_profile_values(tmp_path):
    assert _settings(tmp_path, "local = true\n").autoapply_delay_ms == AUTOAPPLY_DELAY_MS == 2000
    text = "local = true\nautoapply_delay_ms = 1500\n[profiles.quick]\nlocal = true\nautoapply_delay_ms = 400\n"
    assert _settings(tmp_path, text).autoapply_delay_ms == 1500
    assert _settings(tmp_path, text, "--profile", "quick").autoapply_delay_ms == 400
    assert read_profiles(tmp_path / "config.toml")["quick"].autoapply_delay_ms == 400


@pytest.mark.parametrize("value", ["0", "100", "45000", '"fast"', "true", "nan", "inf"])
def test_bad_values_are_refused_with_the_range_and_why(tmp_path, value):
    with pytest.raises(ConfigError) as error:
        _settings(tmp_path, f"local = true\nautoapply_delay_ms = {value}\n")
    assert error.value.variable == "autoapply_delay_ms"
    assert "from 300 to 30000" in error.value.message and "every pause in typing" in error.value.message


def test_a_bad_value_in_the_chosen_profile_names_the_profile(tmp_path):
    text = "local = true\n[profiles.quick]\nlocal = true\nautoapply_delay_ms = 5\n"
    with pytest.raises(ConfigError) as error:
        _settings(tmp_path, text, "--profile", "quick")
    assert error.value.variable == "profiles.quick.autoapply_delay_ms"
    with pytest.raises(ProfileError) as profile_error:
        read_profiles(tmp_path / "config.toml")
    assert profile_error.value.field == "profiles.quick.autoapply_delay_ms" and "300" in profile_error.value.reason
