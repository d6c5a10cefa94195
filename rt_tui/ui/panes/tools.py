"""The Tools pane: enable, add, edit and delete function tools; choose `tool_choice`.

Posts `ToolsPane.Changed(library, tool_choice)` only with a valid library; an invalid name or schema
stays in the editor with its reason shown inline and nothing is sent. The app turns a change into a
`SessionConfig` and a `session.update` like every other setting, and reflects the server's answer back
with `reflect(config)`.
"""

from __future__ import annotations

import re
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, TextArea

from rt_tui.core.session import SessionConfig
from rt_tui.core.tools import EMPTY_PARAMETERS, ToolDefinition, ToolError, ToolLibrary, make_tool

NEW_PARAMETERS = '{\n  "type": "object",\n  "properties": {\n    "query": {"type": "string"}\n  },\n  "required": ["query"]\n}'
_EDITOR_FIELDS = ("name", "description", "parameters", "canned_outputs", "auto_answer")
CANNED_SEPARATOR = "---"
_CANNED_SPLIT = re.compile(rf"^[ \t]*{re.escape(CANNED_SEPARATOR)}[ \t]*$", re.MULTILINE)


def canned_text(outputs: tuple[str, ...] | list[str]) -> str:
    """The editor's text for canned outputs: each one whole (pretty JSON spans lines), a `---` line between."""
    return f"\n{CANNED_SEPARATOR}\n".join(outputs)


def canned_outputs_from(text: str) -> list[str]:
    """The canned outputs the editor's text holds (`canned_text` read back); blank ones are dropped."""
    return [part.strip("\n") for part in _CANNED_SPLIT.split(text) if part.strip()]


def initial_tools(settings: Any, config: SessionConfig) -> tuple[ToolLibrary, SessionConfig]:
    """The library from the config file (`[[tools]]`, already validated by `load_settings`; the examples when
    there is none), with the `[session]` table's functions enabled too, and the config sending the enabled ones."""
    tables = getattr(settings, "tools", None)
    try:
        library = ToolLibrary.from_tables(tables) if tables is not None else ToolLibrary.examples()
    except ToolError:
        library = ToolLibrary.examples()
    library = library.reflect_session([*library.session_tools(), *config.tools])
    return library, config.updated({"tools": library.session_tools()})  # a forced choice's function stays enabled


def save_tool_library(app: Any, library: ToolLibrary) -> str | None:
    """Persist the library in the config file (the active profile's when there is one); a problem, or None.

    Like the theme choice: no config file and a headless app (tests) → nothing is written.
    """
    from rt_tui.preferences import default_config_path
    from rt_tui.profiles import ProfileError, save_tools

    path = app.settings.config_path or (None if app.is_headless else default_config_path())
    if path is None:
        return None
    try:
        save_tools(path, library.to_tables(), app.settings.profile)
    except (ProfileError, OSError) as error:
        return f"Tools not saved: {error}"
    return None


def choice_value(choice: str | dict[str, Any]) -> str:
    """`tool_choice` → the Select's value ("auto", … or "function:NAME")."""
    return f"function:{choice.get('name')}" if isinstance(choice, dict) else choice


def choice_from_value(value: Any) -> str | dict[str, Any]:
    text = str(value)
    if text.startswith("function:"):
        return {"type": "function", "name": text.removeprefix("function:")}
    return text


class ToolsPane(VerticalScroll):
    ALLOW_MAXIMIZE = True

    class Changed(Message):
        """The user changed the tools or the tool choice; both are valid."""

        def __init__(self, pane: ToolsPane, library: ToolLibrary, tool_choice: str | dict[str, Any]) -> None:
            super().__init__()
            self.pane = pane
            self.library = library
            self.tool_choice = tool_choice

    def __init__(self, library: ToolLibrary, tool_choice: str | dict[str, Any] = "auto", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Tools"
        self.library = library
        self.tool_choice = tool_choice
        self.editing: str | None = None  # name of the tool in the editor; None = a new one
        self.errors: dict[str, str] = {}
        self._listed: list[str] = []  # the row labels mounted

    # ---- layout ---------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Label("Tool choice", classes="field-title")
        yield Select(self._choice_options(), allow_blank=False, compact=True, id="tool-choice",
                     value=self._valid_choice_value())
        yield Label("", id="tool-choice-error", classes="field-error", markup=False)
        yield Label("Functions (checked = sent to the model)", classes="field-title")
        yield Vertical(*self._rows(), id="tool-list")
        with Horizontal(id="tool-actions"):
            yield Button("Add function", id="tool-add", compact=True)
            yield Button("Add examples", id="tool-examples", compact=True)
        with Vertical(id="tool-editor"):
            yield Label("", id="tool-editor-title", classes="field-title", markup=False)
            yield from self._editor_field("Name", Input(id="tool-name", compact=True), "name")
            yield from self._editor_field("Description", Input(id="tool-description", compact=True), "description")
            yield from self._editor_field("Parameters (JSON Schema)",
                                          TextArea(id="tool-parameters", soft_wrap=True, tab_behavior="indent"),
                                          "parameters")
            yield from self._editor_field(f"Canned outputs (a line {CANNED_SEPARATOR} between two)",
                                          TextArea(id="tool-canned", soft_wrap=False),
                                          "canned_outputs")
            yield Checkbox("Enabled", True, id="tool-enabled", compact=True)
            yield Checkbox("Auto-answer (example code, else the first canned output)", False, id="tool-auto",
                           compact=True)
            yield Label("", id="tool-error-auto_answer", classes="field-error", markup=False)
            with Horizontal(id="tool-editor-buttons"):
                yield Button("Save", id="tool-save", variant="primary", compact=True)
                yield Button("Cancel", id="tool-cancel", compact=True)
                yield Button("Delete", id="tool-delete", variant="error", compact=True)

    def _editor_field(self, title: str, control: Any, name: str) -> ComposeResult:
        yield Label(title, classes="field-title")
        yield control
        yield Label("", id=f"tool-error-{name}", classes="field-error", markup=False)  # may quote user text

    def _row_labels(self) -> list[str]:
        return [tool.name + ("  ⚡auto" if tool.auto_answer else "") for tool in self.library.tools]

    def _rows(self) -> list[Horizontal]:
        rows = []
        self._listed = self._row_labels()
        for index, (tool, label) in enumerate(zip(self.library.tools, self._listed)):
            rows.append(Horizontal(
                Checkbox(label, tool.enabled, id=f"tool-enabled-{index}", compact=True, classes="tool-toggle"),
                Button("Edit", id=f"tool-edit-{index}", compact=True, classes="tool-edit"),
                classes="tool-row"))
        return rows

    def on_mount(self) -> None:
        self.query_one("#tool-editor").display = False
        self._show_errors({})
        self.query_one("#tool-examples").display = self.library.with_missing_examples() != self.library

    # ---- the list -------------------------------------------------------------------------------------

    def _choice_options(self) -> list[tuple[str, str]]:
        options = [("auto (model decides)", "auto"), ("none (no calls)", "none"), ("required (must call)", "required")]
        return options + [(f"function {t.name}", f"function:{t.name}") for t in self.library.enabled()]

    def _valid_choice_value(self) -> str:
        value = choice_value(self.tool_choice)
        return value if value in {v for _, v in self._choice_options()} else "auto"

    async def _rebuild_list(self) -> None:
        """Update the rows in place when the same tools are listed; remount them only when that changed."""
        tool_list = self.query_one("#tool-list")
        with self.prevent(Checkbox.Changed, Select.Changed):
            if self._listed != self._row_labels():
                await tool_list.remove_children()
                await tool_list.mount_all(self._rows())
            for index, tool in enumerate(self.library.tools):
                self.query_one(f"#tool-enabled-{index}", Checkbox).value = tool.enabled
            select = self.query_one("#tool-choice", Select)
            select.set_options(self._choice_options())
            select.value = self._valid_choice_value()
        self.query_one("#tool-examples").display = self.library.with_missing_examples() != self.library

    async def _change(self, library: ToolLibrary) -> None:
        self.library = library
        if choice_value(self.tool_choice) != self._valid_choice_value():
            self.tool_choice = "auto"  # a forced function that is no longer enabled
        await self._rebuild_list()
        self.post_message(self.Changed(self, self.library, self.tool_choice))

    async def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        box_id = event.checkbox.id or ""
        if box_id.startswith("tool-enabled-"):
            tool = self.library.tools[int(box_id.removeprefix("tool-enabled-"))]
            await self._change(self.library.set_enabled(tool.name, event.value))
        elif box_id == "tool-auto":
            self.validate_editor()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "tool-choice" and event.value != choice_value(self.tool_choice):
            self.tool_choice = choice_from_value(event.value)
            self.post_message(self.Changed(self, self.library, self.tool_choice))

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if button.startswith("tool-edit-"):
            self.open_editor(self.library.tools[int(button.removeprefix("tool-edit-"))])
        elif button == "tool-add":
            self.open_editor(None)
        elif button == "tool-examples":
            await self._change(self.library.with_missing_examples())
        elif button == "tool-save":
            await self.save_editor()
        elif button == "tool-cancel":
            self.close_editor()
        elif button == "tool-delete" and self.editing is not None:
            name = self.editing
            self.close_editor()
            await self._change(self.library.remove(name))

    # ---- the editor -----------------------------------------------------------------------------------

    def open_editor(self, tool: ToolDefinition | None) -> None:
        self.editing = tool.name if tool else None
        self.query_one("#tool-editor-title", Label).update(f"Edit {tool.name}" if tool else "New function")
        self.query_one("#tool-name", Input).value = tool.name if tool else ""
        self.query_one("#tool-description", Input).value = tool.description if tool else ""
        parameters = tool.parameters_text() if tool and tool.parameters != EMPTY_PARAMETERS else NEW_PARAMETERS
        self.query_one("#tool-parameters", TextArea).load_text(parameters)
        self.query_one("#tool-canned", TextArea).load_text(canned_text(tool.canned_outputs) if tool else "")
        self.query_one("#tool-enabled", Checkbox).value = tool.enabled if tool else True
        self.query_one("#tool-auto", Checkbox).value = tool.auto_answer if tool else False
        self.query_one("#tool-delete").display = tool is not None
        self._show_errors({})
        editor = self.query_one("#tool-editor")
        editor.display = True
        self.query_one("#tool-name", Input).focus()
        self.call_after_refresh(self.scroll_to_widget, editor, animate=False, top=True)

    def close_editor(self) -> None:
        self.editing = None
        self._show_errors({})
        self.query_one("#tool-editor").display = False

    def read_editor(self) -> tuple[ToolDefinition | None, dict[str, str]]:
        """The definition the editor describes, or None and the reason per field."""
        original = self.library.get(self.editing)
        canned = canned_outputs_from(self.query_one("#tool-canned", TextArea).text)
        try:
            tool = make_tool(
                self.query_one("#tool-name", Input).value,
                self.query_one("#tool-description", Input).value,
                self.query_one("#tool-parameters", TextArea).text,
                enabled=self.query_one("#tool-enabled", Checkbox).value,
                auto_answer=self.query_one("#tool-auto", Checkbox).value,
                canned_outputs=canned,
                example=original.example if original else None,
            )
            if self.editing is None and self.library.get(tool.name) is not None:
                raise ToolError("name", f"a tool named '{tool.name}' already exists")
            self.library.put(tool, replacing=self.editing)  # refuses a rename onto a taken name
        except ToolError as exc:
            return None, {exc.field: exc.reason}
        return tool, {}

    def validate_editor(self) -> ToolDefinition | None:
        tool, errors = self.read_editor()
        self._show_errors(errors)
        return tool

    async def save_editor(self) -> bool:
        tool = self.validate_editor()
        if tool is None:
            return False
        library = self.library.put(tool, replacing=self.editing)
        self.close_editor()
        await self._change(library)
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.query_one("#tool-editor").display:
            self.validate_editor()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.save_editor()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self.query_one("#tool-editor").display:
            self.validate_editor()

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors
        for name in _EDITOR_FIELDS:
            label = self.query_one(f"#tool-error-{name}", Label)
            reason = errors.get(name, "")
            label.update(f"✗ {reason}" if reason else "")
            label.display = bool(reason)
        self.query_one("#tool-parameters").set_class("parameters" in errors, "-invalid")
        self.query_one("#tool-save", Button).disabled = bool(errors)

    # ---- reflecting the server ------------------------------------------------------------------------

    async def reflect(self, config: SessionConfig) -> None:
        """Show what the session has: the functions it lists are checked, its tool choice selected.

        The app's copy (`app.tool_library`: call prompt, exports) is set to the same library, so after a
        rejected update neither keeps the refused change.
        """
        self.library = self.library.reflect_session(config.tools)
        self.tool_choice = config.tool_choice
        self.app.tool_library = self.library
        self.query_one("#tool-choice-error", Label).display = False
        await self._rebuild_list()

    def show_refused(self, reason: str) -> None:
        label = self.query_one("#tool-choice-error", Label)
        label.update(f"✗ {reason}")
        label.display = True
