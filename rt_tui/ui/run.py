"""`rt-tui` with no subcommand: resolve the configuration and run the playground."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from typing import Callable


def run(args: argparse.Namespace) -> int:
    from rt_tui.config import ConfigError, load_settings

    try:
        settings = load_settings(args)
    except ConfigError as exc:
        print(f"rt-tui: configuration error: {exc.message}\n  fix: {exc.variable}", file=sys.stderr)
        return 2
    from rt_tui.ui.app import make_app

    return _run_with_stderr_logged(lambda: make_app(settings).run() or 0)


def _run_with_stderr_logged(run_app: Callable[[], int]) -> int:
    """PortAudio/ALSA messages go to a log file while the screen is up (they would garble it)."""
    from rt_tui.stderr_log import default_log_path, log_size, stderr_to_log

    log = default_log_path()
    before = log_size(log)
    with ExitStack() as stack:
        try:
            stack.enter_context(stderr_to_log(log))
        except OSError:  # no writable state dir: run without the redirect rather than not at all
            return run_app()
        code = run_app()
    if log_size(log) > before:
        print(f"rt-tui: messages from the audio libraries were written to {log}", file=sys.stderr)
    return code
