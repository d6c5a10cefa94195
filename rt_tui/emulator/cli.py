"""`rt-tui emulator`: run the local realtime emulator in the foreground.

The first stdout line holds the URL (and the CA file with --tls); SIGINT/SIGTERM stop it with exit 0.
Top-level imports stay light: this module is imported to build `rt-tui --help`.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from ..net import is_loopback


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    parser.add_argument("--api-key", help="require this key (Bearer, api-key header or query); default: no auth")
    parser.add_argument("--dialect", choices=("auto", "ga", "beta"), default="auto",
                        help="wire dialect; auto picks it per URL like the service (default)")
    parser.add_argument("--realtime-factor", type=float, default=4.0, metavar="F",
                        help="stream output audio at F× real time (default 4; 1 = real time)")
    parser.add_argument("--tls", action="store_true", help="serve wss:// with a generated self-signed CA")
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    parser.add_argument("--script", metavar="FILE", help="TOML or JSON file of reply rules and timing knobs")
    parser.add_argument("--seed", type=int, default=0, help="seed for fault injection (default 0)")
    parser.add_argument("--openai-beta", choices=("reject", "serve"), default="reject",
                        help="/v1/realtime with 'OpenAI-Beta: realtime=v1': reject like api.openai.com, or serve beta")
    parser.add_argument("--max-session-s", type=float, help="session length limit (default: 3600 on /v1, 1800 on Azure routes)")
    faults = parser.add_argument_group("fault injection (reproducible from --seed)")
    faults.add_argument("--drop-after", type=int, metavar="N", help="close each connection after N server events")
    faults.add_argument("--drop-random", action="store_true", help="close each connection at a seeded random event")
    faults.add_argument("--close-code", type=int, choices=(1001, 1006, 1011), default=1006,
                        help="how dropped connections close (1006: no close frame)")
    faults.add_argument("--delay-rate", type=float, default=0.0, metavar="P", help="share of events delayed")
    faults.add_argument("--delay-ms", type=float, default=500.0, help="delay of delayed events")
    faults.add_argument("--malformed-rate", type=float, default=0.0, metavar="P", help="share of events sent as broken JSON")
    faults.add_argument("--unknown-rate", type=float, default=0.0, metavar="P", help="share of events preceded by an unknown type")
    faults.add_argument("--oversized-rate", type=float, default=0.0, metavar="P", help="share of events padded past 2 MiB")


def options_from_args(args: argparse.Namespace):  # -> EmulatorOptions (imported lazily)
    from .faults import FaultOptions
    from .options import EmulatorOptions
    from .script import Script

    faults = FaultOptions(drop_after=args.drop_after, drop_random=args.drop_random, close_code=args.close_code,
                          delay_rate=args.delay_rate, delay_ms=args.delay_ms, malformed_rate=args.malformed_rate,
                          unknown_rate=args.unknown_rate, oversized_rate=args.oversized_rate, seed=args.seed)
    return EmulatorOptions(host=args.host, port=args.port, api_key=args.api_key, dialect=args.dialect,
                           realtime_factor=args.realtime_factor, tls=args.tls, faults=faults, seed=args.seed,
                           script=Script.load(args.script) if args.script else Script(),
                           openai_beta=args.openai_beta, max_session_s=args.max_session_s,
                           record_events=False)  # nobody reads them out of this process; CI runs last hours


async def _serve(options) -> None:
    from .server import Emulator

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Emulator(options) as emu:
        line = f"rt-tui emulator listening on {emu.url}"
        if emu.ca_file:
            line += f" (CA certificate: {emu.ca_file})"
        print(line, flush=True)
        print("Not a model: replies come from a small pattern script. Ctrl+C stops.", flush=True)
        await stop.wait()


def run(args: argparse.Namespace) -> int:
    if not is_loopback(args.host) and not args.allow_remote:
        print(f"rt-tui emulator: refusing to listen on non-loopback host {args.host!r}; "
              "add --allow-remote if you really want that.", file=sys.stderr)
        return 2
    try:
        options = options_from_args(args)
    except (OSError, ValueError) as exc:
        print(f"rt-tui emulator: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(options))
    except OSError as exc:
        print(f"rt-tui emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    return 0
