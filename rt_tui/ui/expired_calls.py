"""Function calls left unanswered when their session ended (a reconnect or a profile switch).

A new session cannot take an output for a call of the old one, so such calls are shown as expired
instead of pending, and the call prompt no longer offers them.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

from rt_tui.core.conversation import Turn

EXPIRED = "expired — its session ended, it can no longer be answered"


def unanswered_calls(turns: Iterable[Turn]) -> set[str]:
    """Item ids of the function calls that have no output yet."""
    return {t.item_id for t in turns if t.kind == "function_call" and t.output is None}


def mark_expired(turns: tuple[Turn, ...], expired: set[str]) -> tuple[Turn, ...]:
    """The turns with each expired call closed ("failed", with the reason as its error)."""
    if not expired:
        return turns
    return tuple(dataclasses.replace(t, status="failed", error=EXPIRED)
                 if t.item_id in expired and t.output is None else t for t in turns)
