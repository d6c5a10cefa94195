"""`rt-tui serve`: the playground in a browser tab, via textual-serve.

Each browser tab starts its own `rt-tui` process on this machine (same configuration, same environment, so
keys stay in the environment and never reach the page). Audio plays and records on this machine's devices.
Listens on 127.0.0.1 unless told otherwise: anyone who can reach the port drives the app with your
credentials, so another host is accepted with a warning only.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys
from typing import TYPE_CHECKING

from rt_tui.net import is_loopback

if TYPE_CHECKING:
    from textual_serve.server import Server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# App flags a served tab is started with: flag → help (`--local` is a switch, the others take a value).
FORWARDED_FLAGS = {
    "--local": "serve the app on the built-in local emulator",
    "--model": "model (OpenAI) or deployment (Azure)",
    "--endpoint": "Azure OpenAI endpoint",
    "--api-version": "Azure api-version",
    "--config": "path of the TOML config file",
    "--profile": "named profile from the config file",
}
SWITCHES = {"--local"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The app flags (cli.py adds --host and --port). --record is left out: one file shared by every tab."""
    for flag, help_text in FORWARDED_FLAGS.items():
        parser.add_argument(flag, action="store_true" if flag in SWITCHES else "store", help=help_text)


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per browser tab: this Python, this rt-tui, the same app flags."""
    argv = [sys.executable, "-m", "rt_tui.cli"]
    for flag in FORWARDED_FLAGS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if value and flag in SWITCHES:
            argv.append(flag)
        elif value:
            argv += [flag, str(value)]
    return shlex.join(argv)


def exposure_warning(host: str) -> str | None:
    if is_loopback(host):
        return None
    return (f"warning: serving on {host}: anyone who can reach this address can use rt-tui with your "
            f"credentials and audio devices. Use --host {DEFAULT_HOST} to keep it on this machine.")


def free_port(host: str) -> int:
    """A port the OS says is free now (for --port 0; textual-serve needs the number up front for its URLs)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def build_server(args: argparse.Namespace) -> Server:
    from textual_serve.server import Server

    host = getattr(args, "host", None) or DEFAULT_HOST
    port = getattr(args, "port", None)
    port = DEFAULT_PORT if port is None else int(port)
    if port == 0:
        port = free_port(host)
    return Server(app_command(args), host=host, port=port, title="rt-tui")


def run(args: argparse.Namespace) -> int:
    from rt_tui.config import ConfigError, load_settings

    try:  # fail here, once, rather than in every browser tab
        load_settings(args)
    except ConfigError as exc:
        print(f"rt-tui serve: configuration error: {exc.message}\n  fix: {exc.variable}", file=sys.stderr)
        return 2
    warning = exposure_warning(getattr(args, "host", None) or DEFAULT_HOST)
    if warning:
        print(warning, file=sys.stderr)
    try:
        build_server(args).serve()
    except OSError as exc:  # address in use, unknown host, no permission
        print(f"rt-tui serve: cannot listen on {getattr(args, 'host', DEFAULT_HOST)}: {exc}", file=sys.stderr)
        return 2
    return 0
