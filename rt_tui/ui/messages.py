"""Textual messages that carry the worker's callbacks into the app's message queue."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from rt_tui.core.events import Event


class RealtimeEventArrived(Message):
    """One client or server event, as the worker reported it."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class ConnectionStatusChanged(Message):
    """The worker's connection state changed (`status` is a core `ConnectionStatus`)."""

    def __init__(self, status: Any) -> None:
        super().__init__()
        self.status = status


class VoiceMessage(Message):
    """A one-line message from the voice loop (device problems, too-short recordings); any thread."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RealtimeEventsArrived(Message):
    """Worker events are waiting in the app's arrival queue (one message for a whole burst)."""
