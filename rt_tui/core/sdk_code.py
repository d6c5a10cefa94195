"""'Copy as code': the openai Python SDK call that sends a given client event.

`connection` is the object from `async with client.realtime.connect(model=…) as connection`. Every GA
client event the SDK has a method for maps type `a.b.c` → `connection.a.b.c(**fields)`; anything
else becomes `connection.send({...})`.
"""

from __future__ import annotations

import pprint
import re
from typing import Any

from rt_tui.core.redaction import AUDIO_MARKER_PREFIX

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


_MARKER_BYTES = re.compile(re.escape(AUDIO_MARKER_PREFIX) + r"([\d,]+) B")
SILENCE_NOTE = "# the inspector keeps no audio: silence of the same length stands in for it"


class _Silence:
    """Elided audio in the code: an expression giving as many bytes of silence (pprint shows its repr)."""

    def __init__(self, n_bytes: int) -> None:
        self.n_bytes = n_bytes

    def __repr__(self) -> str:
        return f"base64.b64encode(bytes({self.n_bytes:_})).decode()"


def _with_silence(value: Any) -> Any:
    if isinstance(value, str) and (match := _MARKER_BYTES.match(value)):
        return _Silence(int(match.group(1).replace(",", "")))
    if isinstance(value, dict):
        return {k: _with_silence(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_silence(v) for v in value]
    return value


def _literal(value: Any, indent: int) -> str:
    text = pprint.pformat(value, indent=1, width=88 - indent, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def sdk_call_code(payload: dict[str, Any], connection: str = "connection") -> str:
    """Python source of the awaited SDK call that sends `payload` (a GA-shaped client event)."""
    runnable = _with_silence(payload)
    code = _call_code(runnable, connection)
    return code if runnable == payload else f"{SILENCE_NOTE}\nimport base64\n\n{code}"


def _call_code(payload: dict[str, Any], connection: str) -> str:
    type_ = payload.get("type", "")
    if type_ not in SDK_METHODS:
        return f"await {connection}.send({_literal(payload, 4 + len(connection) + 12)})"
    fields = {k: v for k, v in payload.items() if k != "type"}
    call = f"await {connection}.{type_}("
    if not fields:
        return call + ")"
    args = [f"    {name}={_literal(value, 4 + len(name) + 1)}," for name, value in fields.items()]
    return "\n".join([call, *args, ")"])
