"""The emulator against the official Node SDK (npm `openai`, `OpenAIRealtimeWebSocket`): the client scripts in
node/ run unchanged against a TLS emulator on each route (the SDK only speaks wss://) and print one JSON summary.

Needs `node` and `npm ci --prefix tests/emulator/node` (CI does it in .ci/run); skipped without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from emulator_helpers import fast_options

from rt_tui.emulator.responder import Responder, Turn
from rt_tui.emulator.server import Emulator
from rt_tui.emulator.validate import assert_valid

NODE_DIR = Path(__file__).parent / "node"
KEY = "node-sdk-test-key"
INSTRUCTIONS = "Answer like a pirate."  # what the scripts set; the emulator reads it back when asked
ASKED = "What are your instructions?"


@pytest.fixture(scope="module")
def node() -> list[str]:
    """The node command, with the flag Node 20 needs for the global WebSocket the SDK uses (built in from 22)."""
    binary = shutil.which("node")
    if binary is None:
        pytest.skip("node is not installed (the Node SDK clients need node >= 22, or 20)")
    if not (NODE_DIR / "node_modules" / "openai").is_dir():
        pytest.skip("tests/emulator/node/node_modules is missing: run `npm ci --prefix tests/emulator/node`")
    for command in ([binary], [binary, "--experimental-websocket"]):
        check = [*command, "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)"]
        if subprocess.run(check, capture_output=True, timeout=30).returncode == 0:
            return command
    pytest.skip("this node has no global WebSocket, which the Node SDK needs: use node >= 22 (or 20 with "
                "--experimental-websocket)")


@contextlib.asynccontextmanager
async def tls_emulator(**options: Any) -> AsyncIterator[Emulator]:
    async with Emulator(fast_options(tls=True, api_key=KEY, **options)) as emu:
        yield emu
    for dialect in ("ga", "beta"):  # every event the emulator sent validates strictly in its dialect
        assert_valid(emu.sent_by_dialect[dialect], dialect)
    if emu.sessions:  # and so does every event the Node SDK sent (one dialect per test)
        assert_valid(emu.received, emu.sessions[0].dialect, "client")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with tls_emulator() as emu:
        yield emu


async def run_client(node: list[str], emu: Emulator, script: str, key: str = KEY) -> subprocess.CompletedProcess[str]:
    """Run one client script (asynchronously: the emulator serves on this event loop meanwhile)."""
    https = emu.url.replace("wss://", "https://", 1)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("OPENAI_", "AZURE_"))}
    env["NODE_EXTRA_CA_CERTS"] = emu.ca_file
    if script.startswith("azure"):  # AzureOpenAI would take OPENAI_BASE_URL over the endpoint: set one or other
        env.update(AZURE_OPENAI_ENDPOINT=https, AZURE_OPENAI_API_KEY=key)
    else:
        env.update(OPENAI_BASE_URL=f"{https}/v1", OPENAI_API_KEY=key)
    proc = await asyncio.create_subprocess_exec(*node, script, cwd=NODE_DIR, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    result = subprocess.CompletedProcess(script, proc.returncode, out.decode(), err.decode())
    assert key not in result.stdout + result.stderr, "the key must never be printed"
    return result


async def summary_of(node: list[str], emu: Emulator, script: str) -> dict[str, Any]:
    result = await run_client(node, emu, script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def expected_reply(**turn: Any) -> str:
    return Responder().reply(Turn(**turn)).text


def assert_spoken_reply(summary: dict[str, Any]) -> None:
    assert summary["errors"] == []
    assert summary["status"] == "completed"
    assert summary["transcript"] == expected_reply(user_text=ASKED, instructions=INSTRUCTIONS)
    assert summary["text"] == ""  # audio output: the words come as its transcript
    assert summary["audioBytes"] > 24_000 and summary["audioBytes"] % 2 == 0  # > 0.5 s of pcm16
    usage = summary["usage"]
    assert usage["output_token_details"]["audio_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] > 0


def received_types(emu: Emulator) -> list[str]:
    return [event["type"] for event in emu.received]


@pytest.mark.parametrize(("script", "route"), [("openai_ga.mjs", "/v1/realtime"),
                                               ("openai_ga_ws.mjs", "/v1/realtime"),  # the `ws` transport
                                               ("azure_ga.mjs", "/openai/v1/realtime")])
async def test_ga_client_on_ga_routes(node, emulator, script, route):
    summary = await summary_of(node, emulator, script)
    assert summary["route"] == route
    assert [s.dialect for s in emulator.sessions] == ["ga"]
    session = summary["session"]
    assert session["instructions"] == INSTRUCTIONS
    assert session["audio"]["output"]["voice"] == "cedar"
    assert session["output_modalities"] == ["audio"]
    assert_spoken_reply(summary)
    assert received_types(emulator) == ["session.update", "conversation.item.create", "response.create"]


async def test_beta_client_on_the_azure_preview_route(node, emulator):
    summary = await summary_of(node, emulator, "azure_preview.mjs")
    assert summary["route"] == "/openai/realtime"
    assert [s.dialect for s in emulator.sessions] == ["beta"]  # chosen by the preview api-version
    session = summary["session"]
    assert session["model"] == "gpt-4o-realtime-preview"  # the deployment from the query
    assert (session["instructions"], session["voice"], session["modalities"]) == (INSTRUCTIONS, "verse",
                                                                                 ["audio", "text"])
    assert_spoken_reply(summary)


async def test_function_call_round_trip(node, emulator):
    summary = await summary_of(node, emulator, "function_call.mjs")
    assert summary["errors"] == []
    call = summary["call"]
    assert call["name"] == "get_weather" and json.loads(call["arguments"]) == {"location": "Paris"}
    # the client ran the tool with the model's arguments and the next reply is built from its output
    assert json.loads(summary["output"]) == {"location": "Paris", "temperature_c": 18, "sky": "clear"}
    answer = summary["answer"]
    assert answer["text"] == expected_reply(user_text=None, tool_result=("get_weather", summary["output"]))
    assert answer["status"] == "completed" and answer["calls"] == [] and answer["audioBytes"] == 0
    assert answer["usage"]["input_tokens"] > 0
    outputs = [e["item"] for e in emulator.received if e["type"] == "conversation.item.create"
               and e["item"]["type"] == "function_call_output"]
    assert [(o["call_id"], o["output"]) for o in outputs] == [(call["call_id"], summary["output"])]
    assert received_types(emulator).count("response.create") == 2


@pytest.mark.parametrize("script", ["openai_ga.mjs", "openai_ga_ws.mjs", "azure_ga.mjs"])
async def test_wrong_key_is_refused_before_the_upgrade(node, emulator, script):
    """Key as subprotocol, Bearer header and api-key header."""
    result = await run_client(node, emulator, script, key="not-the-key")
    assert result.returncode == 1
    assert "connection failed" in result.stderr
    assert emulator.sessions == []


async def test_reconnect_after_the_session_limit(node):
    """The SDK's `reconnect: true` recovers from the emulator's session limit (session_expired, close 1001)."""
    async with tls_emulator(max_session_s=2.0) as emu:
        summary = await summary_of(node, emu, "reconnect.mjs")
    assert summary["errors"] == ["session_expired"] and summary["closes"] == [1001]
    assert len(set(summary["sessions"])) == 2 == len(emu.sessions)
    assert summary["text"] == expected_reply(user_text="Hello!") and summary["status"] == "completed"
    assert received_types(emu) == ["session.update", "conversation.item.create", "response.create"]
