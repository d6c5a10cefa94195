"""Strict validation of realtime events against the `openai` SDK's pydantic models (protocol brief §6).

`problems(event, dialect, direction)` returns human-readable problems, empty when the event is valid:
the SDK model for its `type` in that dialect validates it, and no key outside the model (found by
walking `model_extra` through the whole tree) appears beyond the brief's allowlist.
"""

from __future__ import annotations

import typing
from functools import lru_cache
from typing import Any, Literal

import pydantic
from pydantic import BaseModel

Dialect = Literal["ga", "beta"]
Direction = Literal["server", "client"]

# (dialect, event type or "*") → extra keys allowed at these JSON paths
_ALLOWED_EXTRA: dict[tuple[str, str], set[str]] = {
    ("ga", "response.output_text.delta"): {"obfuscation"},
    ("ga", "response.output_audio_transcript.delta"): {"obfuscation"},
    ("ga", "conversation.item.input_audio_transcription.delta"): {"obfuscation"},
    ("beta", "session.created"): {"session.object", "session.expires_at", "session.include", "session.client_secret"},
    ("beta", "session.updated"): {"session.object", "session.expires_at", "session.include", "session.client_secret"},
}


def _union_members(union: Any) -> list[type[BaseModel]]:
    members: list[type[BaseModel]] = []
    for arg in typing.get_args(union):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            members.append(arg)
        elif typing.get_origin(arg) is typing.Union or typing.get_args(arg):
            members.extend(_union_members(arg))
    return members


@lru_cache(maxsize=None)
def models(dialect: Dialect, direction: Direction) -> dict[str, type[BaseModel]]:
    """Event type → SDK model class, from the SDK's discriminated union for that dialect and direction."""
    if dialect == "ga":
        from openai.types import realtime as package
    else:
        from openai.types.beta import realtime as package
    union = package.RealtimeServerEvent if direction == "server" else package.RealtimeClientEvent
    table: dict[str, type[BaseModel]] = {}
    for cls in _union_members(union):
        literal = typing.get_args(cls.model_fields["type"].annotation)
        if literal:
            table.setdefault(literal[0], cls)
    return table


def _extras(value: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(value, BaseModel):
        for key in (value.model_extra or {}):
            found.append(f"{path}.{key}" if path else key)
        for name in type(value).model_fields:
            found.extend(_extras(getattr(value, name), f"{path}.{name}" if path else name))
    elif isinstance(value, (list, tuple)):
        for index, element in enumerate(value):
            found.extend(_extras(element, f"{path}[{index}]"))
    elif isinstance(value, dict):
        for key, element in value.items():
            found.extend(_extras(element, f"{path}.{key}" if path else str(key)))
    return found


def _session_problems(event: dict[str, Any]) -> list[str]:
    """GA `session.created/updated`: the SDK types `session` as the request; check it as the response."""
    from openai.types.realtime import RealtimeSessionCreateResponse

    try:
        session = RealtimeSessionCreateResponse.model_validate(event.get("session"))
    except pydantic.ValidationError as exc:
        return [f"session: {exc.error_count()} validation error(s): {exc.errors()[:3]}"]
    return [f"undeclared key session.{key}" for key in _extras(session, "")]


def problems(event: Any, dialect: Dialect, direction: Direction = "server") -> list[str]:
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return ["not an object with a string 'type'"]
    kind = event["type"]
    table = models(dialect, direction)
    cls = table.get(kind)
    if cls is None:
        other = "beta" if dialect == "ga" else "ga"
        if kind in models(other, direction):  # type: ignore[arg-type]
            return [f"'{kind}' is a {other} event type: dialect mismatch"]
        return [f"unknown {dialect} {direction} event type '{kind}'"]
    try:
        model = cls.model_validate(event)
    except pydantic.ValidationError as exc:
        return [f"{kind}: {err['loc']}: {err['msg']}" for err in exc.errors()[:5]]
    allowed = _ALLOWED_EXTRA.get((dialect, kind), set())
    found = [f"{kind}: undeclared key {path}" for path in _extras(model, "") if path not in allowed]
    if dialect == "ga" and kind in ("session.created", "session.updated"):
        found = [p for p in found if not p.split("undeclared key ")[1] in ("session.id", "session.object",
                                                                              "session.expires_at")]
        found.extend(f"{kind}: {p}" for p in _session_problems(event))
    return found


def assert_valid(events: list[dict[str, Any]], dialect: Dialect, direction: Direction = "server") -> None:
    """Raise AssertionError listing every invalid event (for tests)."""
    report = [f"#{i} {p}" for i, event in enumerate(events) for p in problems(event, dialect, direction)]
    if report:
        raise AssertionError(f"{len(report)} problem(s):\n" + "\n".join(report[:40]))
