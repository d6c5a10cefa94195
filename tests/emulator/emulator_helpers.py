"""Helpers for emulator tests: a fast emulator, SDK connections on each route, raw event reading."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, AsyncIterator

from openai import AsyncAzureOpenAI, AsyncOpenAI

from rt_tui.emulator.options import EmulatorOptions
from rt_tui.emulator.server import Emulator


def fast_options(**overrides: Any) -> EmulatorOptions:
    """Real pacing code, compressed: tests stay quick."""
    base = dict(realtime_factor=200.0, first_delta_ms=2.0, text_delta_ms=0.0, transcription_delay_ms=5.0,
                ping_interval_s=None)
    base.update(overrides)
    return EmulatorOptions(**base)


@contextlib.asynccontextmanager
async def connect(emu: Emulator, route: str = "v1", api_version: str = "2025-08-28", api_key: str = "test-key",
                  beta: bool = False, model: str = "gpt-realtime") -> AsyncIterator[Any]:
    """An `openai` SDK realtime connection to the emulator on one of its routes (protocol brief §1.3)."""
    http = emu.url.replace("ws", "http", 1)
    if route == "v1":
        client: Any = AsyncOpenAI(api_key=api_key, websocket_base_url=f"{emu.url}/v1")
    elif route == "azure_ga":
        client = AsyncOpenAI(api_key=api_key, base_url=f"{http}/openai/v1")
    else:
        client = AsyncAzureOpenAI(api_key=api_key, azure_endpoint=http, api_version=api_version,
                                  websocket_base_url=f"{emu.url}/openai")
    realtime = client.beta.realtime if beta else client.realtime
    async with realtime.connect(model=model) as conn:
        yield conn


async def recv(conn: Any, timeout: float = 10.0) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(conn.recv_bytes(), timeout))


async def until(conn: Any, *types: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Read raw events up to and including the first one whose type is in `types`."""
    events = []
    while True:
        event = await recv(conn, timeout)
        events.append(event)
        if event["type"] in types:
            return events


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def until_all(conn: Any, *wanted: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Read raw events until each type in `wanted` has been seen at least once."""
    events: list[dict[str, Any]] = []
    missing = set(wanted)
    while missing:
        event = await recv(conn, timeout)
        events.append(event)
        missing.discard(event["type"])
    return events
