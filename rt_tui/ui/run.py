"""`rt-tui` with no subcommand: resolve the configuration and run the playground."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from rt_tui.config import ConfigError, load_settings

    try:
        settings = load_settings(args)
    except ConfigError as exc:
        print(f"rt-tui: configuration error: {exc.message}\n  fix: {exc.variable}", file=sys.stderr)
        return 2
    from rt_tui.ui.app import make_app

    return make_app(settings).run() or 0
