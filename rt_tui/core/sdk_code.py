"""'Copy as code': the openai Python SDK call that sends a given client event.

`connection` is the object from `async with client.realtime.connect(model=…) as connection`. Every GA
client event the SDK has a method for maps type `a.b.c` → `connection.a.b.c(**fields)`; anything
else becomes `connection.send({...})`.
"""

from __future__ import annotations

import pprint
from typing import Any

SDK_METHODS = frozenset(
    {
        "session.update",
        "response.create",
        "response.cancel",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
        "output_audio_buffer.clear",
        "conversation.item.create",
        "conversation.item.delete",
        "conversation.item.retrieve",
        "conversation.item.truncate",
    }
)


def _literal(value: Any, indent: int) -> str:
    text = pprint.pformat(value, indent=1, width=88 - indent, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def sdk_call_code(payload: dict[str, Any], connection: str = "connection") -> str:
    """Python source of the awaited SDK call that sends `payload` (a GA-shaped client event)."""
    type_ = payload.get("type", "")
    if type_ not in SDK_METHODS:
        return f"await {connection}.send({_literal(payload, 4 + len(connection) + 12)})"
    fields = {k: v for k, v in payload.items() if k != "type"}
    call = f"await {connection}.{type_}("
    if not fields:
        return call + ")"
    args = [f"    {name}={_literal(value, 4 + len(name) + 1)}," for name, value in fields.items()]
    return "\n".join([call, *args, ")"])
