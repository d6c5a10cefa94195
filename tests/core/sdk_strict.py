"""Strict validation of client event payloads against the openai SDK's pydantic models (brief §6)."""

from __future__ import annotations

from typing import Any

from openai.types import realtime as ga
from openai.types.beta import realtime as beta
from pydantic import BaseModel

SESSION_UPDATE = {"ga": ga.SessionUpdateEvent, "beta": beta.SessionUpdateEvent}
RESPONSE_CREATE = {"ga": ga.ResponseCreateEvent, "beta": beta.ResponseCreateEvent}
ITEM_CREATE = {"ga": ga.ConversationItemCreateEvent, "beta": beta.ConversationItemCreateEvent}


def undeclared_keys(model: BaseModel, path: str = "$") -> list[str]:
    """JSON paths of keys the SDK model accepted only as extras (its models are extra="allow")."""
    found = [f"{path}.{key}" for key in (model.model_extra or {})]
    for name in type(model).model_fields:
        found += _walk(getattr(model, name), f"{path}.{name}")
    return found


def _walk(value: Any, path: str) -> list[str]:
    if isinstance(value, BaseModel):
        return undeclared_keys(value, path)
    if isinstance(value, (list, tuple)):
        return [key for index, item in enumerate(value) for key in _walk(item, f"{path}[{index}]")]
    if isinstance(value, dict):
        return [key for name, item in value.items() for key in _walk(item, f"{path}.{name}")]
    return []


def assert_strict(model_cls: type[BaseModel], payload: dict[str, Any]) -> BaseModel:
    model = model_cls.model_validate(payload)
    extras = undeclared_keys(model)
    assert not extras, f"undeclared keys for {model_cls.__name__}: {extras}"
    return model


def _by_type(union: Any) -> dict[str, type[BaseModel]]:
    from typing import get_args

    members = get_args(union)
    while len(members) == 1 or (members and not isinstance(members[0], type)):
        members = get_args(members[0])
    return {get_args(cls.model_fields["type"].annotation)[0]: cls for cls in members}


SERVER_MODELS = {"ga": _by_type(ga.RealtimeServerEvent), "beta": _by_type(beta.RealtimeServerEvent)}
CLIENT_MODELS = {"ga": _by_type(ga.RealtimeClientEvent), "beta": _by_type(beta.RealtimeClientEvent)}


def assert_strict_event(event: dict[str, Any], dialect: str, direction: str = "server", allow: tuple[str, ...] = ()):
    """Validate a whole event by its `type` in `dialect`; `allow` lists extra keys by name."""
    models = SERVER_MODELS if direction == "server" else CLIENT_MODELS
    cls = models[dialect].get(event["type"])
    assert cls is not None, f"{event['type']} is not a {dialect} {direction} event"
    model = cls.model_validate(event)
    allowed = {"obfuscation", *allow}
    extras = [key for key in undeclared_keys(model) if key.rsplit(".", 1)[-1] not in allowed]
    if dialect == "ga" and event["type"] in ("session.created", "session.updated"):
        from openai.types.realtime import RealtimeSessionCreateResponse, RealtimeTranscriptionSessionCreateResponse

        transcription = event["session"].get("type") == "transcription"
        session_cls = RealtimeTranscriptionSessionCreateResponse if transcription else RealtimeSessionCreateResponse
        session = session_cls.model_validate(event["session"])
        extras = [key for key in extras if not key.startswith("$.session.")]
        extras += [k for k in undeclared_keys(session, "$.session") if k.rsplit(".", 1)[-1] not in allowed]
    assert not extras, f"undeclared keys in {event['type']}: {extras}"
    return model
