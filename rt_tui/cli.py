"""Command line entry: the app (default), emulator, replay, devices, doctor, serve.

Each subcommand's module is imported only when that subcommand runs, so `rt-tui emulator` never loads
Textual and `rt-tui --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys


def add_app_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--local", action="store_true", help="use the built-in local emulator (the default when no endpoint is configured)")
    parser.add_argument("--model", help="model (OpenAI) or deployment (Azure); default gpt-realtime")
    parser.add_argument("--endpoint", help="Azure OpenAI endpoint, overrides AZURE_OPENAI_ENDPOINT")
    parser.add_argument("--api-version", help="Azure api-version, overrides OPENAI_API_VERSION")
    parser.add_argument("--config", help="path of the TOML config file (default: the platform config dir)")
    parser.add_argument("--profile", help="named profile from the config file")
    parser.add_argument("--record", metavar="FILE.jsonl", help="record every event of the session to FILE.jsonl")
    parser.add_argument("--no-record-audio", dest="record_audio", action="store_false",
                        help="recordings (--record, or r in the inspector) without the WAV tracks beside them")
    parser.add_argument("--input-device", metavar="NAME|INDEX",
                        help="microphone: index or part of the name from 'rt-tui devices' (default: system default)")
    parser.add_argument("--output-device", metavar="NAME|INDEX",
                        help="speaker: index or part of the name from 'rt-tui devices' (default: system default)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rt-tui",
        description="A terminal playground for the GPT realtime speech API (Azure OpenAI, OpenAI, or the local emulator).",
    )
    add_app_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    emulator = sub.add_parser("emulator", help="run the local realtime emulator in the foreground")
    _add_module_arguments(emulator, "rt_tui.emulator.cli")

    replay = sub.add_parser("replay", help="replay a recorded session into the UI, no network")
    replay.add_argument("file", metavar="FILE.jsonl")
    replay.add_argument("--speed", type=float, default=1.0, help="playback speed factor (default 1)")

    sub.add_parser("devices", help="list audio input/output devices and whether 24 kHz mono works")
    doctor = sub.add_parser("doctor", help="check configuration, endpoint, auth and audio; one line per check")
    add_app_arguments(doctor)
    serve = sub.add_parser("serve", help="serve the playground in a browser tab on this machine (textual-serve)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    _add_module_arguments(serve, "rt_tui.serve")
    return parser


def _add_module_arguments(parser: argparse.ArgumentParser, module_name: str) -> None:
    """Let a subcommand's own module declare its arguments (absent module: no extra arguments)."""
    try:
        module = __import__(module_name, fromlist=["add_arguments"])
    except ImportError:
        return
    add_arguments = getattr(module, "add_arguments", None)
    if add_arguments is not None:
        add_arguments(parser)


def _run_subcommand(module_name: str, args: argparse.Namespace) -> int:
    module = __import__(module_name, fromlist=["run"])
    return int(module.run(args) or 0)


SUBCOMMAND_MODULES = {
    "emulator": "rt_tui.emulator.cli",
    "replay": "rt_tui.replay",
    "devices": "rt_tui.core.devices",
    "doctor": "rt_tui.doctor",
    "serve": "rt_tui.serve",
    None: "rt_tui.ui.run",
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return _run_subcommand(SUBCOMMAND_MODULES[args.command], args)


if __name__ == "__main__":
    sys.exit(main())
