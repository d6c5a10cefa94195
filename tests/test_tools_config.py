"""Tool libraries in the config file: [[tools]], a profile's own [[profiles.NAME.tools]], refusals, saving."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from rt_tui.config import ConfigError, load_settings
from rt_tui.core.tools import ToolLibrary
from rt_tui.profiles import ProfileError, read_profiles, save_profile, save_tools

FILE = '''# my settings
theme = "rt-ember"

[[tools]]
name = "lookup"                      # a comment that must survive
parameters = '{"type": "object", "properties": {"q": {"type": "string"}}}'
enabled = true
canned_outputs = ['{"hits": 0}']

[profiles.demo]
local = true

[[profiles.demo.tools]]
name = "other"
'''


def _load(path: Path, profile: str | None = None):
    return load_settings(argparse.Namespace(config=str(path), profile=profile), env={})


def test_file_tools_and_a_profiles_own_tools(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(FILE)
    library = ToolLibrary.from_tables(_load(path).tools)
    assert library.names() == ["lookup"] and library.get("lookup").enabled
    assert library.get("lookup").canned_outputs == ('{"hits": 0}',)
    assert ToolLibrary.from_tables(_load(path, "demo").tools).names() == ["other"]
    assert read_profiles(path)["demo"].tools == [{"name": "other"}]
    (tmp_path / "none.toml").write_text("")
    assert _load(tmp_path / "none.toml").tools is None  # → the examples


@pytest.mark.parametrize("entry, where", [
    ('name = "x"\nparameters = \'{"type": "object", "required": "q"}\'', "tools[0].parameters"),
    ('name = "has space"', "tools[0].name"),
    ('name = "x"\ncolour = "red"', "tools[0].colour"),
])
def test_bad_tools_are_a_config_error_naming_the_entry(tmp_path, entry, where):
    path = tmp_path / "config.toml"
    path.write_text(f"[[tools]]\n{entry}\n")
    with pytest.raises(ConfigError) as caught:
        _load(path)
    assert caught.value.variable == where and where in caught.value.message


def test_saving_tools_keeps_comments_and_reads_back(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(FILE)
    library = ToolLibrary.examples().set_enabled("calculate", True)
    save_tools(path, library.to_tables())
    text = path.read_text()
    assert text.startswith("# my settings") and "lookup" not in text
    assert "parameters = '{\"type\": \"object\"" in text  # JSON as a literal string, no backslashes
    assert ToolLibrary.from_tables(_load(path).tools) == library
    save_tools(path, library.to_tables()[:1], profile="demo")
    assert [t["name"] for t in read_profiles(path)["demo"].tools] == ["get_current_time"]
    save_profile(path, "demo", {"local": True, "tools": library.to_tables()[2:]})
    assert ToolLibrary.from_tables(_load(path, "demo").tools).names() == ["calculate"]
    with pytest.raises(ProfileError):
        save_tools(path, [{"name": "bad name"}])
    with pytest.raises(ProfileError):
        save_tools(path, [], profile="missing")
