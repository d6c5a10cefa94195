"""Command line entry: the app (default), emulator, replay, devices, doctor."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rt-tui", description="A terminal playground for the GPT realtime API.")
    parser.add_argument("--local", action="store_true", help="use the built-in local emulator")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("emulator", help="run the local realtime emulator in the foreground")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    print("rt-tui: not built yet", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
