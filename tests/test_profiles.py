from __future__ import annotations

import os
import sys

import pytest

from rt_tui.core.session import SessionConfig
from rt_tui.profiles import (
    ProfileError,
    read_profiles,
    read_theme_choice,
    save_profile,
    save_theme_choice,
    session_values,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

USER_FILE = """\
# rt-tui config — hand-written, keep my notes!
endpoint = "https://shared.openai.azure.com"   # the team resource

[session]
voice = "marin"

# ---- my targets ----
[profiles.dev]
provider = "azure"        # keyless: az login first
endpoint = "https://dev.openai.azure.com"
deployment = "gpt-realtime"

[profiles.dev.session]
voice = "cedar"   # cedar sounds best
instructions = "Be brief."

[profiles.dev.session.turn_detection]
# tuned for my noisy office
threshold = 0.7

[profiles.openai]
provider = "openai"
model = "gpt-realtime"
api_key_env = "MY_OPENAI_KEY"   # never the key itself
"""


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "rt-tui" / "config.toml"
    path.parent.mkdir()
    path.write_text(USER_FILE, encoding="utf-8")
    return path


def test_profiles_are_read_and_keys_come_from_the_environment(config_file):
    profiles = read_profiles(config_file)
    assert set(profiles) == {"dev", "openai"}
    dev = profiles["dev"]
    assert (dev.provider, dev.endpoint, dev.deployment) == ("azure", "https://dev.openai.azure.com", "gpt-realtime")
    assert dev.session == {"voice": "cedar", "instructions": "Be brief.", "turn_detection": {"threshold": 0.7}}
    assert dev.api_key({}) is None and "Entra ID" in dev.describe()

    openai = profiles["openai"]
    env = {"MY_OPENAI_KEY": "sk-test-secret"}
    assert openai.api_key(env) == "sk-test-secret"
    assert openai.config_values(env) == {"provider": "openai", "model": "gpt-realtime", "openai_api_key": "sk-test-secret"}
    assert "sk-test" not in openai.describe() and "$MY_OPENAI_KEY" in openai.describe()
    assert "sk-test" not in repr(openai)
    assert openai.api_key({}) is None


def test_round_trip_keeps_every_comment_and_only_changes_what_was_saved(config_file):
    before = config_file.read_text(encoding="utf-8")
    current = SessionConfig().updated({"voice": "cedar", "instructions": "Be brief.", "turn_detection.threshold": 0.7})
    save_profile(config_file, "dev", {"deployment": "gpt-realtime", "session": session_values(current)})
    assert config_file.read_text(encoding="utf-8") == before  # nothing changed, nothing rewritten

    changed = current.updated({"turn_detection.threshold": 0.4, "temperature": 0.9})
    save_profile(config_file, "dev", {"deployment": "rt-2", "session": session_values(changed)})
    after = config_file.read_text(encoding="utf-8")
    for comment in ("# rt-tui config — hand-written, keep my notes!", "# the team resource", "# ---- my targets ----",
                    "# keyless: az login first", "# cedar sounds best", "# tuned for my noisy office",
                    "# never the key itself"):
        assert comment in after
    assert 'deployment = "rt-2"' in after and "threshold = 0.4" in after
    assert "threshold = 0.7" not in after

    dev = read_profiles(config_file)["dev"]
    assert dev.deployment == "rt-2"
    assert SessionConfig.model_validate(dev.session) == changed
    assert tomllib.loads(after)["session"] == {"voice": "marin"}  # the global table is untouched


def test_new_profile_in_a_new_file_and_keys_removed_with_none(tmp_path):
    path = tmp_path / "deep" / "config.toml"
    save_profile(path, "emu", {"local": True, "session": {"voice": "ash", "turn_detection": {"type": "none"}}})
    save_profile(path, "emu", {"model": "gpt-realtime-mini"})
    profile = read_profiles(path)["emu"]
    assert profile.local is True and profile.model == "gpt-realtime-mini"
    assert profile.session == {"voice": "ash", "turn_detection": {"type": "none"}}
    save_profile(path, "emu", {"model": None, "session": {}})
    profile = read_profiles(path)["emu"]
    assert profile.model is None and profile.session == {}
    assert [p.name for p in tmp_path.joinpath("deep").iterdir()] == ["config.toml"]  # no temp files left


def test_saving_keeps_the_file_mode(config_file):
    os.chmod(config_file, 0o600)
    save_profile(config_file, "dev", {"model": "x"})
    assert config_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("table", "field", "reason_part"),
    [
        ('api_key = "sk-abc"', "profiles.p.api_key", "api_key_env"),
        ('azure_api_key = "abc"', "profiles.p.azure_api_key", "environment variable"),
        ('api_key_env = "sk-proj-abc=="', "profiles.p.api_key_env", "NAME of an environment variable"),
        ('provider = "aws"', "profiles.p.provider", "azure, openai, local"),
        ('colour = "red"', "profiles.p.colour", "unknown key"),
        ('local = "yes"', "profiles.p.local", "true or false"),
        ('[profiles.p.session]\nvoice = "robot"', "profiles.p.session.voice", "voice must be one of"),
        ('[profiles.p.session.turn_detection]\nthreshold = 2', "profiles.p.session.turn_detection.threshold",
         "between"),
    ],
)
def test_bad_profiles_name_the_field(tmp_path, table, field, reason_part):
    path = tmp_path / "config.toml"
    header = "[profiles.p]\n" if not table.startswith("[") else ""
    path.write_text(header + table + "\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        read_profiles(path)
    assert caught.value.field == field
    assert reason_part in caught.value.reason


def test_secrets_are_refused_when_saving(tmp_path):
    path = tmp_path / "config.toml"
    with pytest.raises(ProfileError):
        save_profile(path, "p", {"openai_api_key": "sk-nope"})
    assert not path.exists()


def test_theme_choice_persists_next_to_the_comments(config_file):
    assert read_theme_choice(config_file) is None
    save_theme_choice(config_file, "rt-ember")
    save_theme_choice(config_file, "rt-daylight")
    text = config_file.read_text(encoding="utf-8")
    assert read_theme_choice(config_file) == "rt-daylight"
    assert text.count("theme =") == 1 and "# the team resource" in text
    assert tomllib.loads(text)["profiles"]["dev"]["provider"] == "azure"  # landed at top level, not in a table


@pytest.mark.parametrize("text", ["profiles = 3\n", "[profiles]\np = 3\n"])
def test_saving_into_a_malformed_profiles_key_is_refused_and_the_file_untouched(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError):
        save_profile(path, "p", {"model": "x"})
    assert path.read_text(encoding="utf-8") == text


def test_inline_table_profiles_are_read_and_updated(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles]\nemu = { local = true }  # inline\n', encoding="utf-8")
    save_profile(path, "emu", {"model": "gpt-realtime-mini"})
    assert read_profiles(path)["emu"].model == "gpt-realtime-mini"
    assert "# inline" in path.read_text(encoding="utf-8")
