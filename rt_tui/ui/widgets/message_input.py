"""The message input of the playground."""

from __future__ import annotations

from textual.widgets import Input


class MessageInput(Input):
    """An Input that leaves Space on an empty line to the app's bindings (push-to-talk).

    Textual drops app bindings for keys the focused Input would type; the app's push-to-talk action
    raises SkipAction when it does not apply, and the space is then typed as usual.
    """

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if key == "space" and not self.value:
            return False
        return super().check_consume_key(key, character)
