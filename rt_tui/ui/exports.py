"""Exports from the app (a mixin of `RtTuiApp`): view code, transcript as Markdown, events as JSONL.

The texts come from `rt_tui/core/export.py`; events are exported by the inspector pane (its own
export, filtered view or all). Files go to the inspector's export directory, else the working directory.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rt_tui.core.export import session_code, session_update_json, transcript_markdown
from rt_tui.core.redaction import REDACTED, redact_text
from rt_tui.ui.code_screen import CodeScreen, stamped_path, write_text_file

if TYPE_CHECKING:
    from rt_tui.ui.app import RtTuiApp

    _Base = RtTuiApp
else:
    _Base = object


class ExportActions(_Base):
    def export_dir(self) -> Path:
        return getattr(self._inspector, "export_dir", None) or Path.cwd()

    def configured_secrets(self) -> list[str]:
        key = self.settings.target.api_key
        return [key] if key else []

    def code_texts(self) -> dict[str, str]:
        """The current settings (what was last sent) as the exact session.update and as a Python script."""
        target = self.host.target or self.settings.target  # the embedded emulator's real address once it runs
        texts = {
            "json": session_update_json(self.desired, target.dialect),
            "python": session_code(self.desired, target, function_outputs=self.tool_library.canned_answers()),
        }
        # Only the configured key is replaced: the texts never hold one by construction, and shape-based
        # redaction would break the code (it reads `api_key=os.environ…`).
        for secret in self.configured_secrets():
            texts = {key: text.replace(secret, REDACTED) for key, text in texts.items()}
        return texts

    def action_view_code(self) -> None:
        target = self.host.target or self.settings.target
        self.push_screen(CodeScreen(self.code_texts(), self.export_dir(), target.describe()))

    def transcript_text(self) -> str:
        """The conversation on screen (cleared turns left out) as Markdown."""
        turns = tuple(t for t in self.conversation.turns if t.item_id not in self._cleared_ids)
        shown = dataclasses.replace(self.conversation, turns=turns)
        title = f"rt-tui conversation — {time.strftime('%Y-%m-%d %H:%M')}"
        return redact_text(transcript_markdown(shown, title=title), self.configured_secrets())

    def action_copy_transcript(self) -> None:
        turns = sum(1 for t in self.conversation.turns if t.item_id not in self._cleared_ids)
        self.copy_to_clipboard(self.transcript_text())
        self.notify(f"Transcript copied ({turns} turns, OSC 52)", timeout=3)

    def action_save_transcript(self) -> Path | None:
        path = stamped_path(self.export_dir(), "rt-tui-transcript", ".md")
        text = self.transcript_text()
        try:
            write_text_file(path, text)
        except OSError as exc:
            self.notify(f"Transcript not saved: {exc.strerror or exc}", severity="error", markup=False)
            return None
        self.copy_to_clipboard(text)
        self.notify(f"Transcript saved to {path} (and copied)", timeout=6, markup=False)
        return path

    def action_export_events(self) -> None:
        """The inspector's export of the events it shows (all of them when no filter is set)."""
        export = getattr(self._inspector, "action_export", None)
        if export is None:
            self.notify("The event inspector is not available.", severity="warning")
            return
        export(True)
