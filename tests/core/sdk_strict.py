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
