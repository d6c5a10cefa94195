"""The one loopback check (rt_tui/net.py) and the three places that rely on it."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from rt_tui.cli import build_parser
from rt_tui.config import ConfigError, load_settings
from rt_tui.net import is_loopback
from rt_tui.serve import exposure_warning

LOOPBACK = ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.0.0.2", "::1", "[::1]", "::1%lo",
            "::ffff:127.0.0.1", "[::ffff:127.0.0.1]"]
NOT_LOOPBACK = ["", None, "0.0.0.0", "::", "192.168.1.20", "::ffff:10.0.0.1", "my-box.example", "my.localhost",
                "localhost.example", "127.1", "fe80::1%eth0"]


@pytest.mark.parametrize("host", LOOPBACK)
def test_loopback_names_and_addresses(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", NOT_LOOPBACK)
def test_everything_else_is_not_loopback(host):
    assert not is_loopback(host)


@pytest.mark.parametrize("host", ["[::ffff:127.0.0.1]", "LOCALHOST", "[::1]"])
def test_config_allows_plain_http_to_every_loopback_form(host, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    env = {"AZURE_OPENAI_ENDPOINT": f"http://{host}:8080", "AZURE_OPENAI_DEPLOYMENT_NAME": "dep"}
    assert load_settings(build_parser().parse_args([]), env=env).target.endpoint.startswith("http://")


def test_config_refuses_plain_http_to_a_mapped_remote_address(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    env = {"AZURE_OPENAI_ENDPOINT": "http://[::ffff:10.0.0.1]:8080", "AZURE_OPENAI_DEPLOYMENT_NAME": "dep"}
    with pytest.raises(ConfigError, match="http:// for a remote host"):
        load_settings(build_parser().parse_args([]), env=env)


@pytest.mark.parametrize("host", ["LOCALHOST", "::ffff:127.0.0.1", "localhost."])
def test_serve_does_not_warn_for_loopback_forms(host):
    assert exposure_warning(host) is None


def test_emulator_accepts_a_loopback_name_in_any_case():
    proc = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "emulator", "--host", "LOCALHOST", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(10)
    assert first.startswith("rt-tui emulator listening on ws://LOCALHOST:"), proc.stderr.read()


def test_emulator_refuses_the_any_address_in_process():
    from rt_tui.emulator.cli import run

    assert run(argparse.Namespace(host="", allow_remote=False)) == 2


def test_emulator_uses_the_shared_check_without_importing_config():
    probe = ("import json, sys, rt_tui.emulator.cli, rt_tui.emulator.server; "
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('rt_tui'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "rt_tui.net" in loaded
    assert not [m for m in loaded if m == "rt_tui.config" or m.startswith(("rt_tui.core", "rt_tui.ui"))]
