"""`rt-tui serve`: the playground in a browser tab, via textual-serve.

Each browser tab starts its own `rt-tui` process on this machine (same configuration, same environment, so
keys stay in the environment and never reach the page). Audio plays and records on this machine's devices.
Listens on 127.0.0.1 unless told otherwise: anyone who can reach the port drives the app with your
credentials, so another host is accepted with a warning only.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual_serve.server import Server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# App flags passed on to every served app process: (argparse dest, flag, takes a value)
FORWARDED_FLAGS = (
    ("local", "--local", False),
    ("model", "--model", True),
    ("endpoint", "--endpoint", True),
    ("api_version", "--api-version", True),
    ("config", "--config", True),
    ("profile", "--profile", True),
)


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per browser tab: this Python, this rt-tui, the same app flags."""
    argv = [sys.executable, "-m", "rt_tui.cli"]
    for dest, flag, takes_value in FORWARDED_FLAGS:
        value = getattr(args, dest, None)
        if takes_value and value:
            argv += [flag, str(value)]
        elif not takes_value and value:
            argv.append(flag)
    return shlex.join(argv)


def exposure_warning(host: str) -> str | None:
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
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
    warning = exposure_warning(getattr(args, "host", None) or DEFAULT_HOST)
    if warning:
        print(warning, file=sys.stderr)
    try:
        build_server(args).serve()
    except OSError as exc:  # address in use, unknown host, no permission
        print(f"rt-tui serve: cannot listen on {getattr(args, 'host', DEFAULT_HOST)}: {exc}", file=sys.stderr)
        return 2
    return 0
