"""The emulator's replies: a small deterministic pattern responder (no model, and it says so).

Script rules (from `--script`) are tried first, then the built-in patterns, then an echo.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rule:
    """`pattern` (regex, case-insensitive) → a reply text or a tool call; `{name}` fills in regex groups."""

    pattern: str
    reply: str | None = None
    tool: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)

    def match(self, text: str) -> re.Match[str] | None:
        return re.search(self.pattern, text, re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    text: str = ""
    tool_name: str | None = None
    arguments: dict[str, Any] | None = None


@dataclass(frozen=True)
class Turn:
    """What the responder sees: the last user input and the session's instructions and tools."""

    user_text: str | None
    audio_ms: float = 0.0
    instructions: str = ""
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: Any = "auto"
    tool_result: tuple[str, str] | None = None  # (tool name, output) when answering a function_call_output


CAPABILITIES = (
    "I'm the rt-tui local emulator, not a language model. I answer greetings and a few questions, "
    "repeat back what you type, speak with a synthetic voice, detect when you start and stop talking, "
    "and call weather or time tools when your session declares them."
)
_GREETING = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|howdy)\b", re.IGNORECASE)
_CAN_DO = re.compile(r"what can you do|what do you do|help me|capabilities", re.IGNORECASE)
_IDENTITY = re.compile(r"who are you|what are you|are you (real|a model|an? ai|an emulator|human)", re.IGNORECASE)
_INSTRUCTIONS = re.compile(r"instructions|system prompt|your rules", re.IGNORECASE)
_WEATHER = re.compile(r"\bweather\b(?:.*?\b(?:in|for|at) (?P<place>[\w' -]+))?", re.IGNORECASE)
_TIME = re.compile(r"\b(?:what time is it|time is it|what time|the time|current time)\b"
                   r"(?:.*?\b(?:in|for|at) (?P<place>[\w' -]+))?", re.IGNORECASE)


def _fill(template: Any, groups: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format_map({k: v or "" for k, v in groups.items()})
    if isinstance(template, dict):
        return {k: _fill(v, groups) for k, v in template.items()}
    return template


def _find_tool(tools: tuple[dict[str, Any], ...], word: str) -> dict[str, Any] | None:
    return next((t for t in tools if word in str(t.get("name", "")).lower()), None)


def _first_property(tool: dict[str, Any], fallback: str) -> str:
    params = tool.get("parameters") or {}
    required = params.get("required") or list((params.get("properties") or {}).keys())
    return required[0] if required else fallback


class Responder:
    def __init__(self, rules: tuple[Rule, ...] = ()) -> None:
        self.rules = rules

    def reply(self, turn: Turn) -> Reply:
        forced = self._forced_tool(turn)
        if forced is not None:
            return forced
        if turn.tool_result is not None:
            return Reply(self._tool_answer(*turn.tool_result))
        if turn.user_text is None:
            seconds = turn.audio_ms / 1000
            return Reply(f"I heard {seconds:.1f} seconds of audio. I'm a local emulator, so I can't understand "
                         "speech, but I'm happy to answer it.")
        text = turn.user_text.strip()
        return self._scripted(text, turn) or self._builtin(text, turn) or Reply(self._echo(text))

    def _scripted(self, text: str, turn: Turn) -> Reply | None:
        for rule in self.rules:
            match = rule.match(text)
            if match is None:
                continue
            groups = match.groupdict()
            if rule.tool and turn.tool_choice != "none" and any(t.get("name") == rule.tool for t in turn.tools):
                return Reply(tool_name=rule.tool, arguments=_fill(rule.arguments, groups))
            if rule.reply is not None:
                return Reply(_fill(rule.reply, groups))
        return None

    def _builtin(self, text: str, turn: Turn) -> Reply | None:
        if match := _WEATHER.search(text):
            return self._tool_or_excuse(turn, "weather", match.group("place") or "here", "location")
        if match := _TIME.search(text):
            return self._tool_or_excuse(turn, "time", match.group("place") or "UTC", "timezone")
        if _INSTRUCTIONS.search(text):
            if turn.instructions.strip():
                return Reply(f"My instructions say: {turn.instructions.strip()}")
            return Reply("I have no instructions in this session. Set some and I'll read them back to you.")
        if _CAN_DO.search(text):
            return Reply(CAPABILITIES)
        if _IDENTITY.search(text):
            return Reply("I'm the rt-tui emulator, running on your machine: no model and no network involved.")
        if _GREETING.search(text):
            return Reply("Hello! I'm the rt-tui local emulator, standing in for a realtime model. "
                         "Ask me what I can do, or just type something.")
        return None

    def _tool_or_excuse(self, turn: Turn, word: str, value: str, argument: str) -> Reply:
        tool = _find_tool(turn.tools, word)
        if tool is None or turn.tool_choice == "none":
            return Reply(f"I can't look up the {word}: this session declares no {word} tool.")
        return Reply(tool_name=tool["name"], arguments={_first_property(tool, argument): value.strip()})

    def _forced_tool(self, turn: Turn) -> Reply | None:
        choice = turn.tool_choice
        if isinstance(choice, str) and choice not in ("auto", "none", "required"):
            choice = {"type": "function", "name": choice}  # the beta form names the function
        if not turn.tools:
            return None  # like the service, a forced choice forces every response, the one after an output too
        if isinstance(choice, dict) and choice.get("name"):
            return Reply(tool_name=choice["name"], arguments={})
        if choice == "required":
            tool = turn.tools[0]
            return Reply(tool_name=tool["name"], arguments={_first_property(tool, "input"): turn.user_text or ""})
        return None

    @staticmethod
    def _echo(text: str) -> str:
        return f"You said: {text}" if text else "I didn't catch anything there."

    @staticmethod
    def _tool_answer(name: str, output: str) -> str:
        try:
            data = json.loads(output)
        except ValueError:
            data = output
        if isinstance(data, dict):
            facts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in data.items())
            return f"The {name} tool says: {facts}."
        return f"The {name} tool says: {data}."
