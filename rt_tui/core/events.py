"""The one event shape every layer above the dialect edge sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["client", "server"]


@dataclass(frozen=True, slots=True)
class Event:
    """A client or server realtime event, normalised to GA names and shapes.

    `payload` is the GA-shaped JSON object (its "type" equals `type`). `wire_type` is the type as it
    travelled (a beta name on a beta connection). `t` is seconds since the session started
    (monotonic clock); `size` is the byte length of the JSON frame on the wire.
    """

    direction: Direction
    type: str
    payload: dict[str, Any]
    t: float
    wire_type: str = ""
    size: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sent(self) -> bool:
        return self.direction == "client"
