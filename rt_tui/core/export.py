"""Exports: the transcript as Markdown, the session configuration as `session.update` JSON and as a
runnable openai-SDK Python snippet ("view code").

The snippet never contains a key: it reads one from the environment (or uses Microsoft Entra ID).
"""

from __future__ import annotations

import json
import pprint
from typing import Mapping, Protocol

from rt_tui.core.conversation import Conversation, Turn, Usage
from rt_tui.core.dialect import Dialect
from rt_tui.core.session import SessionConfig

ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"
KEY_VARIABLES = {"azure": "AZURE_OPENAI_API_KEY", "openai": "OPENAI_API_KEY", "local": "RT_TUI_EMULATOR_API_KEY"}
_ROLE_TITLES = {"user": "You", "assistant": "Assistant", "system": "System", "tool": "Tool output", "error": "Error"}


class TargetLike(Protocol):
    """What the snippet needs of `rt_tui.config.Target` (its `api_key` is never read)."""

    provider: str  # "azure" | "openai" | "local"
    endpoint: str
    model: str  # OpenAI model or Azure deployment
    route: str  # "ga" | "classic"
    dialect: str  # "ga" | "beta"
    auth: str  # "api-key" | "entra" | "bearer" | "none"
    api_version: str | None


# ------------------------------------------------------------------------------------------- JSON


def session_update_json(config: SessionConfig, dialect: Dialect, *, include_voice: bool = True) -> str:
    """The exact `session.update` event rt-tui sends for `config` on a `dialect` connection."""
    return json.dumps(config.session_update(dialect, include_voice=include_voice), indent=2, ensure_ascii=False)


# ------------------------------------------------------------------------------------- transcript


def transcript_markdown(conversation: Conversation, title: str = "Realtime conversation") -> str:
    blocks = [f"# {title}"]
    blocks += [_turn_markdown(turn) for turn in conversation.turns]
    totals = conversation.usage_totals
    if totals != Usage():
        blocks.append(f"---\n\n_Total tokens: {_usage_text(totals)}_")
    return "\n\n".join(blocks) + "\n"


def _turn_markdown(turn: Turn) -> str:
    if turn.kind == "error":
        return f"### Error\n\n> {turn.text}"
    if turn.kind == "function_call":
        lines = [f"### Function call `{turn.name or '?'}`", "", _fenced(turn.arguments or "", "json")]
        if turn.output is not None:
            lines += ["", "Output:", "", _fenced(turn.output, "json")]
        return _with_footer("\n".join(lines), turn)
    if turn.kind == "function_call_output":
        return f"### Tool output (call `{turn.call_id or '?'}`)\n\n{_fenced(turn.output or '', 'json')}"
    heading = _ROLE_TITLES.get(turn.role, turn.role.title())
    notes = []
    if turn.has_audio:
        notes.append("voice")
    if turn.status == "interrupted":
        notes.append(f"interrupted, heard {turn.heard_ms / 1000:.1f} s" if turn.heard_ms is not None
                     else "interrupted")
    elif turn.status in ("cancelled", "incomplete", "failed"):
        notes.append(turn.status)
    if notes:
        heading += f" ({', '.join(notes)})"
    body = turn.text or ("_(audio, no transcript)_" if turn.has_audio else "_(empty)_")
    if turn.error:
        body += f"\n\n> {turn.error}"
    return _with_footer(f"### {heading}\n\n{body}", turn)


def _with_footer(block: str, turn: Turn) -> str:
    facts = []
    if turn.latency_ms is not None:
        facts.append(f"latency {turn.latency_ms:.0f} ms")
    if turn.usage is not None:
        facts.append(f"tokens {_usage_text(turn.usage)}")
    return f"{block}\n\n_{' · '.join(facts)}_" if facts else block


def _usage_text(usage: Usage) -> str:
    return (f"in {usage.input_tokens} (text {usage.input_text_tokens}, audio {usage.input_audio_tokens}), "
            f"out {usage.output_tokens} (text {usage.output_text_tokens}, audio {usage.output_audio_tokens})")


def _fenced(text: str, language: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text}\n{fence}"


# ------------------------------------------------------------------------------------------- code


def session_code(config: SessionConfig, target: TargetLike, function_outputs: Mapping[str, str] | None = None) -> str:
    """A short Python script that connects like rt-tui does and sends this configuration.

    With tools in the session, the script also takes a prompt (`python snippet.py "weather in Paris?"`) and
    answers the model's function calls with `function_outputs` (name → output text: the playground's canned
    outputs), the way the protocol wants it: output items, then a new `response.create`.
    """
    if config.tools:
        return _with_tools(_session_code_lines(config, target), config, dict(function_outputs or {}))
    return "\n".join(_session_code_lines(config, target))


def _session_code_lines(config: SessionConfig, target: TargetLike) -> list[str]:
    beta = target.dialect == "beta"
    session = config.to_beta_session() if beta else config.to_ga_session()
    client_lines, imports, key_note = _client(target)
    connect = "client.beta.realtime.connect" if beta else "client.realtime.connect"
    lines = [
        f'"""Opens a realtime session on {_where(target)} and applies the rt-tui playground settings.',
        "",
        f"{key_note}",
        '"""',
        "",
        "import asyncio",
        "import os",
        "",
        *imports,
        "",
        f"SESSION = {_literal(session, 10)}",
        "",
        "",
        "async def main() -> None:",
        *[f"    {line}" for line in client_lines],
        f"    async with {connect}(model={target.model!r}) as connection:",
        "        await connection.session.update(session=SESSION)",
        *_PLAIN_LOOP,  # one list: _with_tools finds and replaces exactly these lines
        "    await client.close()",
        *(["    await credential.close()"] if target.auth == "entra" else []),
        "",
        "",
        'if __name__ == "__main__":',
        "    asyncio.run(main())",
        "",
    ]
    return lines


_PLAIN_LOOP = [
    "        async for event in connection:",
    "            print(event.type)",
    '            if event.type == "error":',
    "                print(event.error.message)",
    '            if event.type in ("session.updated", "error"):',
    "                break",
]
_TOOLS_LOOP = [
    '        prompt = " ".join(sys.argv[1:])  # without one, stop once the session is configured',
    "        async for event in connection:",
    "            print(event.type)",
    '            if event.type == "error":',
    "                print(event.error.message)",
    "                break",
    '            if event.type == "session.updated":',
    "                if not prompt:",
    "                    break",
    "                await connection.conversation.item.create(item={",
    '                    "type": "message", "role": "user", "content": [{"type": "input_text", "text": prompt}]})',
    "                await connection.response.create()",
    '            elif event.type == "response.done":',
    "                output = event.response.output or []",
    '                calls = [item for item in output if item.type == "function_call"]',
    "                for item in output:",
    '                    if item.type == "message":',
    '                        print("assistant:", " ".join(part.text or part.transcript or "" for part in item.content))',
    "                for call in calls:",
    '                    print(f"function call: {call.name}({call.arguments})")',
    "                    await answer(connection, call)",
    "                if not calls:",
    "                    break",
    "                await connection.response.create()  # the model continues with the outputs",
]


def _with_tools(lines: list[str], config: SessionConfig, outputs: dict[str, str]) -> str:
    """The plain script, plus answering function calls with the playground's outputs."""
    names = [tool["name"] for tool in config.tools]
    table = {name: outputs.get(name, '{"error": "not implemented in this script"}') for name in names}
    start = lines.index(_PLAIN_LOOP[0])
    loop = list(_TOOLS_LOOP)
    if config.tool_choice not in ("auto", "none"):  # forced again, the model would call on every response
        loop[-1] = ('                await connection.response.create(response={"tool_choice": "auto"})'
                    "  # let the model answer now")
    lines = lines[:start] + loop + lines[start + len(_PLAIN_LOOP):]
    lines.insert(lines.index("import os") + 1, "import sys")
    main = lines.index("async def main() -> None:")
    lines[main:main] = [
        "# What each function returns in this script (rt-tui's canned outputs): put your real code here.",
        f"FUNCTION_OUTPUTS = {_literal(table, 19)}",
        "",
        "",
        "async def answer(connection, call) -> None:",
        '    """Send a function call\'s output item (a new response.create follows once all are sent)."""',
        "    output = FUNCTION_OUTPUTS[call.name]",
        "    await connection.conversation.item.create(",
        '        item={"type": "function_call_output", "call_id": call.call_id, "output": output})',
        "",
        "",
    ]
    return "\n".join(lines)


def _client(target: TargetLike) -> tuple[list[str], list[str], str]:
    endpoint = target.endpoint.rstrip("/")
    ws = _ws(endpoint)
    variable = KEY_VARIABLES.get(target.provider, "OPENAI_API_KEY")
    if target.auth == "entra":
        imports = ["from azure.identity.aio import DefaultAzureCredential, get_bearer_token_provider"]
        key = "token_provider"
        setup = ["credential = DefaultAzureCredential()",
                 f"token_provider = get_bearer_token_provider(credential, {ENTRA_SCOPE!r})"]
        note = "Signs in with Microsoft Entra ID (`az login` first); no key is needed."
    elif target.provider == "local":
        imports, setup = [], []
        key = f"os.environ.get({variable!r}, 'local')"
        note = f"The local emulator accepts any key unless started with --api-key (then set {variable})."
    else:
        imports, setup = [], []
        key = f"os.environ[{variable!r}]"
        note = f"Reads the key from the {variable} environment variable."
    if target.route == "classic":
        auth = "azure_ad_token_provider=token_provider" if target.auth == "entra" else f"api_key={key}"
        imports.append("from openai import AsyncAzureOpenAI")
        setup += [
            "client = AsyncAzureOpenAI(",
            f"    azure_endpoint={endpoint!r},",
            f"    api_version={target.api_version!r},",
            f"    websocket_base_url={ws + '/openai'!r},",
            f"    {auth},",
            ")",
        ]
    else:
        base = {"azure": "/openai/v1", "local": "/v1"}.get(target.provider, "")
        imports.append("from openai import AsyncOpenAI")
        setup += [
            "client = AsyncOpenAI(",
            f"    api_key={key},",
            f"    base_url={endpoint + base!r},",
            f"    websocket_base_url={ws + base!r},",
            ")",
        ]
    return setup, imports, note


def _where(target: TargetLike) -> str:
    if target.provider == "azure":
        route = "v1 route" if target.route == "ga" else f"api-version {target.api_version}"
        return f"Azure OpenAI (deployment {target.model}, {route})"
    if target.provider == "local":
        return "the rt-tui local emulator"
    return f"OpenAI (model {target.model})"


def _ws(url: str) -> str:
    for http, ws in (("https://", "wss://"), ("http://", "ws://")):
        if url.startswith(http):
            return ws + url[len(http):]
    return url


def _literal(value: object, indent: int) -> str:
    text = pprint.pformat(value, indent=1, width=100 - indent, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)
