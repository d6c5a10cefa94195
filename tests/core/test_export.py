from __future__ import annotations

import ast
import asyncio
import json
import os
import sys
from dataclasses import dataclass

import pytest
from sdk_strict import SESSION_UPDATE, assert_strict

from rt_tui.core.conversation import Conversation, reduce
from rt_tui.core.events import Event
from rt_tui.core.export import session_code, session_update_json, transcript_markdown
from rt_tui.core.session import SessionConfig

KEY = "sk-test-9f8e7d6c5b4a-never-printed"
CONFIG = SessionConfig(
    instructions="Answer like a pirate.",
    voice="coral",
    output_modalities="text",
    turn_detection={"type": "semantic_vad", "eagerness": "low"},
    transcription_model="gpt-4o-mini-transcribe",
    noise_reduction="near_field",
    temperature=0.7,
    max_output_tokens=300,
    tools=[{"type": "function", "name": "get_time", "description": "Current time",
            "parameters": {"type": "object", "properties": {}}}],
    tool_choice="auto",
)


@dataclass(frozen=True)
class FakeTarget:  # the fields of rt_tui.config.Target that the snippet reads
    provider: str
    endpoint: str
    model: str
    route: str = "ga"
    dialect: str = "ga"
    auth: str = "api-key"
    api_version: str | None = None
    api_key: str | None = KEY  # present, as on the real Target, and must never be used


# ------------------------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("dialect", ["ga", "beta"])
def test_session_update_json_is_the_exact_event_and_validates(dialect):
    text = session_update_json(CONFIG, dialect)
    event = json.loads(text)
    assert event == CONFIG.session_update(dialect)
    assert_strict(SESSION_UPDATE[dialect], event)
    assert ("temperature" in event["session"]) == (dialect == "beta")


def test_session_update_json_keeps_non_ascii_text():
    text = session_update_json(CONFIG.updated({"instructions": "Réponds en français ✓"}), "ga")
    assert "Réponds en français ✓" in text


# ------------------------------------------------------------------------------------- transcript


def server(kind: str, t: float, **payload) -> Event:
    return Event("server", kind, {"type": kind, "event_id": f"e{t}", **payload}, t)


def sample_conversation() -> Conversation:
    ids = {"response_id": "resp_1", "item_id": "item_A1", "output_index": 0, "content_index": 0}
    call = {"id": "item_F1", "type": "function_call", "status": "completed", "call_id": "call_1",
            "name": "get_time", "arguments": "{}"}
    events = [
        server("input_audio_buffer.speech_stopped", 1.0, audio_end_ms=900, item_id="item_U1"),
        server("conversation.item.added", 1.01, item={"id": "item_U1", "type": "message", "role": "user",
                                                      "status": "completed",
                                                      "content": [{"type": "input_audio", "transcript": None}]}),
        server("response.created", 1.02, response={"id": "resp_1", "status": "in_progress"}),
        server("response.output_item.added", 1.03, response_id="resp_1", output_index=0,
               item={"id": "item_A1", "type": "message", "role": "assistant", "status": "in_progress"}),
        server("response.output_audio_transcript.delta", 1.3, **ids, delta="Arr, it be noon and the tide is high"),
        server("response.output_audio.delta", 1.31, **ids, delta="AAAA" * 1600),
        server("conversation.item.truncated", 2.0, item_id="item_A1", content_index=0, audio_end_ms=50),
        server("response.done", 2.1, response={"id": "resp_1", "status": "cancelled",
                                                "status_details": {"type": "cancelled", "reason": "turn_detected"},
                                                "usage": {"input_tokens": 5, "output_tokens": 7, "total_tokens": 12}}),
        server("conversation.item.input_audio_transcription.completed", 2.2, item_id="item_U1", content_index=0,
               transcript="What time is it?"),
        server("response.output_item.added", 3.0, response_id="resp_2", output_index=0, item=call),
        server("conversation.item.added", 3.1, item={"id": "item_O1", "type": "function_call_output",
                                                     "call_id": "call_1", "output": '{"time": "12:00"}'}),
        server("error", 3.2, error={"type": "invalid_request_error", "code": "invalid_value", "message": "Nope."}),
    ]
    state = Conversation.empty()
    for event in events:
        state = reduce(state, event)
    return state


def test_transcript_markdown():
    markdown = transcript_markdown(sample_conversation(), title="Pirate test")
    assert markdown.startswith("# Pirate test\n")
    assert "### You (voice)\n\nWhat time is it?" in markdown
    assert "### Assistant (voice, interrupted, heard 0.1 s)" in markdown
    assert "Arr, it be noon" in markdown and "tide is high" not in markdown  # only what was heard
    assert "latency 300 ms" in markdown
    assert "tokens in 5 (text 0, audio 0), out 7" in markdown
    assert '### Function call `get_time`\n\n```json\n{}\n```\n\nOutput:\n\n```json\n{"time": "12:00"}\n```' in markdown
    assert "### Tool output (call `call_1`)" in markdown
    assert "### Error\n\n> Nope. (invalid_value)" in markdown
    assert "_Total tokens: in 5" in markdown
    assert markdown.index("What time") < markdown.index("Arr") < markdown.index("get_time") < markdown.index("Nope")


def test_transcript_of_an_empty_conversation_and_fences_in_text():
    assert transcript_markdown(Conversation.empty()) == "# Realtime conversation\n"
    state = reduce(Conversation.empty(), server("conversation.item.added", 0, item={
        "id": "i", "type": "function_call_output", "call_id": "c", "output": "```x```"}))
    assert "````json\n```x```\n````" in transcript_markdown(state)


# ------------------------------------------------------------------------------------------- code

ALL_TARGETS = {
    "azure-v1-key": FakeTarget("azure", "https://res.openai.azure.com", "my-deployment"),
    "azure-v1-entra": FakeTarget("azure", "https://res.openai.azure.com", "my-deployment", auth="entra"),
    "azure-classic-beta": FakeTarget("azure", "https://res.openai.azure.com", "dep", route="classic",
                                     dialect="beta", api_version="2025-04-01-preview"),
    "azure-classic-entra": FakeTarget("azure", "https://res.openai.azure.com", "dep", route="classic",
                                      api_version="2025-08-28", auth="entra"),
    "openai": FakeTarget("openai", "https://api.openai.com/v1", "gpt-realtime", auth="bearer"),
    "local": FakeTarget("local", "http://127.0.0.1:8765", "gpt-realtime", auth="none"),
}


@pytest.mark.parametrize("name", list(ALL_TARGETS))
def test_snippet_compiles_never_embeds_a_key_and_carries_the_exact_session(name):
    target = ALL_TARGETS[name]
    code = session_code(CONFIG, target)
    compile(code, f"<{name}>", "exec")
    assert KEY not in code and "sk-" not in code
    tree = ast.parse(code)
    [session_assign] = [node for node in tree.body if isinstance(node, ast.Assign)
                        and node.targets[0].id == "SESSION"]
    session = ast.literal_eval(session_assign.value)
    expected = CONFIG.to_beta_session() if target.dialect == "beta" else CONFIG.to_ga_session()
    assert session == expected
    assert_strict(SESSION_UPDATE[target.dialect], {"type": "session.update", "session": session})
    if target.auth == "entra":
        assert "get_bearer_token_provider" in code and "os.environ[" not in code
    elif target.provider == "azure":
        assert "os.environ['AZURE_OPENAI_API_KEY']" in code
    elif target.provider == "openai":
        assert "os.environ['OPENAI_API_KEY']" in code
    assert ("client.beta.realtime.connect" in code) == (target.dialect == "beta")
    assert ("AsyncAzureOpenAI(" in code) == (target.route == "classic")


RUNNABLE = {
    "azure-v1": dict(provider="azure", route="ga", dialect="ga", variable="AZURE_OPENAI_API_KEY"),
    "azure-classic-beta": dict(provider="azure", route="classic", dialect="beta",
                               api_version="2025-04-01-preview", variable="AZURE_OPENAI_API_KEY"),
}  # the OpenAI variant differs from azure-v1 only in its base path (checked above); one run each keeps it quick


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(RUNNABLE))
async def test_snippet_runs_against_the_emulator(name, tmp_path):
    """The generated script, run as a user would, connects and the server applies the session."""
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator

    spec = dict(RUNNABLE[name])
    variable = spec.pop("variable")
    async with Emulator(EmulatorOptions(api_key=KEY)) as emu:
        http = emu.url.replace("ws://", "http://")
        target = FakeTarget(endpoint=http, model="gpt-realtime", auth="api-key", **spec)
        script = tmp_path / "snippet.py"
        script.write_text(session_code(CONFIG, target))
        env = {key: value for key, value in os.environ.items() if not key.endswith("_API_KEY")}
        env[variable] = KEY
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(script), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 45)
    assert process.returncode == 0, stderr.decode()
    lines = stdout.decode().split()
    assert lines[-1] == "session.updated", stdout.decode()
    [update] = [event for event in emu.received if event["type"] in ("session.update",)]
    assert update["session"] == CONFIG.session_update(target.dialect)["session"]
