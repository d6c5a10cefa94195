"""Function tools of the playground: definitions (validated), the library the Tools pane edits, the examples.

A `ToolDefinition` is what the user edits: the function the model sees (name, description, JSON Schema
parameters) plus playground-only extras: `enabled` (sent in `session.tools` or not), `canned_outputs`
(saved answers to pick from) and `auto_answer` (reply at once: an example's real implementation, else
the first canned output). Only enabled tools reach `SessionConfig.tools`.

Saved in the config file as `[[tools]]` (or `[[profiles.NAME.tools]]`), parameters as JSON text:

    [[tools]]
    name = "get_weather"
    description = "Current weather for a city"
    parameters = '{"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}'
    enabled = true
    auto_answer = false
    canned_outputs = ['{"temperature_c": 21, "conditions": "sunny"}']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from rt_tui.core.tool_examples import IMPLEMENTATIONS

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_DESCRIPTION_CHARS = 1024
EMPTY_PARAMETERS: dict[str, Any] = {"type": "object", "properties": {}}
TABLE_KEYS = {"name", "description", "parameters", "enabled", "auto_answer", "canned_outputs", "example"}
_JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")


class ToolError(ValueError):
    """A definition that cannot be used; `field` is name | description | parameters | canned_outputs | …"""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class ToolDefinition:
    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: dict(EMPTY_PARAMETERS))
    enabled: bool = False
    auto_answer: bool = False
    canned_outputs: tuple[str, ...] = ()
    example: str | None = None  # key of a built-in implementation (tool_examples.IMPLEMENTATIONS)

    def session_tool(self) -> dict[str, Any]:
        """The function as `session.tools` carries it."""
        return {"type": "function", "name": self.name, "description": self.description,
                "parameters": json.loads(json.dumps(self.parameters))}

    @property
    def can_auto_answer(self) -> bool:
        return self.example in IMPLEMENTATIONS or bool(self.canned_outputs)

    def answer(self, arguments: str) -> str | None:
        """The automatic output for a call with `arguments` (JSON text), or None when there is none."""
        implementation = IMPLEMENTATIONS.get(self.example or "")
        if implementation is not None:
            try:
                parsed = json.loads(arguments or "{}")
            except ValueError:
                return json.dumps({"error": "the arguments are not valid JSON"})
            if not isinstance(parsed, dict):
                return json.dumps({"error": "the arguments must be a JSON object"})
            return json.dumps(implementation(parsed), ensure_ascii=False)
        return self.canned_outputs[0] if self.canned_outputs else None

    def parameters_text(self) -> str:
        return json.dumps(self.parameters, indent=2, ensure_ascii=False)

    def to_table(self) -> dict[str, Any]:
        """The `[[tools]]` entry for the config file (TOML has no null: absent keys are defaults)."""
        table: dict[str, Any] = {"name": self.name, "description": self.description,
                                 "parameters": json.dumps(self.parameters, ensure_ascii=False),
                                 "enabled": self.enabled, "auto_answer": self.auto_answer,
                                 "canned_outputs": list(self.canned_outputs)}
        if self.example:
            table["example"] = self.example
        return table


def parse_parameters(text: str) -> dict[str, Any]:
    """JSON text → a parameters schema, or `ToolError("parameters", reason)` naming line/column or schema path."""
    if not text.strip():
        return dict(EMPTY_PARAMETERS)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolError("parameters", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    check_parameters(value)
    return value


def check_parameters(schema: Any) -> None:
    """The service wants an object schema; it must also be a valid JSON Schema (draft 2020-12)."""
    if not isinstance(schema, dict):
        raise ToolError("parameters", "must be a JSON object (a JSON Schema), e.g. {\"type\": \"object\"}")
    if schema.get("type") != "object":
        raise ToolError("parameters", "the top level must be {\"type\": \"object\", \"properties\": {…}}")
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema))
    if error is None:
        return
    path = ".".join(str(part) for part in error.absolute_path)
    message = error.message
    if error.absolute_path and error.absolute_path[-1] == "type":
        message = f"{json.dumps(error.instance)} is not a JSON Schema type (use one of: {', '.join(_JSON_TYPES)})"
    raise ToolError("parameters", f"invalid schema at {path or 'the top level'}: {message}")


def make_tool(name: str, description: str = "", parameters: str | dict[str, Any] = "", *, enabled: bool = False,
              auto_answer: bool = False, canned_outputs: Iterable[str] = (), example: str | None = None) -> ToolDefinition:
    """A validated definition; raises `ToolError` with the field and a reason a person can act on."""
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise ToolError("name", "1–64 letters, digits, '_' or '-' (no spaces)")
    if not isinstance(description, str):
        raise ToolError("description", "must be text")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise ToolError("description", f"at most {MAX_DESCRIPTION_CHARS} characters")
    if isinstance(parameters, str):
        schema = parse_parameters(parameters)
    else:
        check_parameters(parameters)
        schema = parameters
    outputs = tuple(str(output) for output in canned_outputs if str(output).strip())
    if auto_answer and example not in IMPLEMENTATIONS and not outputs:
        raise ToolError("auto_answer", "needs a canned output to answer with")
    if example is not None and example not in IMPLEMENTATIONS:
        raise ToolError("example", f"unknown example '{example}' (known: {', '.join(IMPLEMENTATIONS)})")
    return ToolDefinition(name, description, schema, bool(enabled), bool(auto_answer), outputs, example)


def tool_from_table(table: Any, where: str = "tools") -> ToolDefinition:
    """One `[[tools]]` entry → a definition; `ToolError(f"{where}.{field}", …)` when it is not usable."""
    if not isinstance(table, dict):
        raise ToolError(where, "must be a table with name, description, parameters, …")
    unknown = sorted(set(table) - TABLE_KEYS)
    if unknown:
        raise ToolError(f"{where}.{unknown[0]}", f"unknown key (known: {', '.join(sorted(TABLE_KEYS))})")
    for flag in ("enabled", "auto_answer"):
        if not isinstance(table.get(flag, False), bool):
            raise ToolError(f"{where}.{flag}", "must be true or false")
    outputs = table.get("canned_outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
        raise ToolError(f"{where}.canned_outputs", "must be a list of strings")
    try:
        return make_tool(str(table.get("name", "")), table.get("description", ""), table.get("parameters", ""),
                         enabled=table.get("enabled", False), auto_answer=table.get("auto_answer", False),
                         canned_outputs=outputs, example=table.get("example"))
    except ToolError as exc:
        raise ToolError(f"{where}.{exc.field}", exc.reason) from None


@dataclass(frozen=True)
class ToolLibrary:
    """The user's tools in display order; immutable — every change returns a new library."""

    tools: tuple[ToolDefinition, ...] = ()

    @classmethod
    def examples(cls) -> ToolLibrary:
        return cls(EXAMPLE_TOOLS)

    @classmethod
    def from_tables(cls, tables: Any, where: str = "tools") -> ToolLibrary:
        if not isinstance(tables, list):
            raise ToolError(where, "must be an array of tables ([[tools]])")
        library = cls()
        for index, table in enumerate(tables):
            tool = tool_from_table(table, f"{where}[{index}]")
            if library.get(tool.name) is not None:
                raise ToolError(f"{where}[{index}].name", f"'{tool.name}' is defined twice")
            library = library.put(tool)
        return library

    def to_tables(self) -> list[dict[str, Any]]:
        return [tool.to_table() for tool in self.tools]

    def names(self) -> list[str]:
        return [tool.name for tool in self.tools]

    def get(self, name: str | None) -> ToolDefinition | None:
        return next((tool for tool in self.tools if tool.name == name), None)

    def put(self, tool: ToolDefinition, replacing: str | None = None) -> ToolLibrary:
        """Add `tool`, or replace the one named `replacing` (or named like it) in place."""
        old = replacing or tool.name
        if old != tool.name and self.get(tool.name) is not None:
            raise ToolError("name", f"a tool named '{tool.name}' already exists")
        if self.get(old) is None:
            return ToolLibrary(self.tools + (tool,))
        return ToolLibrary(tuple(tool if t.name == old else t for t in self.tools))

    def remove(self, name: str) -> ToolLibrary:
        return ToolLibrary(tuple(t for t in self.tools if t.name != name))

    def set_enabled(self, name: str, enabled: bool) -> ToolLibrary:
        return ToolLibrary(tuple(replace(t, enabled=enabled) if t.name == name else t for t in self.tools))

    def with_missing_examples(self) -> ToolLibrary:
        library = self
        for example in EXAMPLE_TOOLS:
            if library.get(example.name) is None:
                library = library.put(example)
        return library

    def enabled(self) -> list[ToolDefinition]:
        return [tool for tool in self.tools if tool.enabled]

    def session_tools(self) -> list[dict[str, Any]]:
        """`SessionConfig.tools` for this library: the enabled functions."""
        return [tool.session_tool() for tool in self.enabled()]

    def canned_answers(self) -> dict[str, str]:
        """Name → first canned output of each enabled function that has one (for "view code")."""
        return {tool.name: tool.canned_outputs[0] for tool in self.enabled() if tool.canned_outputs}

    def reflect_session(self, session_tools: Iterable[dict[str, Any]]) -> ToolLibrary:
        """Match the functions a session reports: those listed are enabled (unknown ones added), the rest not."""
        listed = {str(tool.get("name")): tool for tool in session_tools if isinstance(tool, dict)}
        library = ToolLibrary(tuple(replace(t, enabled=t.name in listed) for t in self.tools))
        for name, tool in listed.items():
            if library.get(name) is None:
                try:
                    library = library.put(make_tool(name, tool.get("description") or "",
                                                    tool.get("parameters") or dict(EMPTY_PARAMETERS), enabled=True))
                except ToolError:
                    continue  # the server reports what it accepted; a schema we would refuse is just not shown
        return library


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


EXAMPLE_TOOLS: tuple[ToolDefinition, ...] = (
    ToolDefinition(
        "get_current_time", "The current date and time in a time zone.",
        _object({"timezone": {"type": "string", "description": "IANA time zone or city, e.g. Europe/Paris"}},
                ["timezone"]),
        auto_answer=True, example="current_time"),
    ToolDefinition(
        "get_weather", "The current weather for a city (canned data in rt-tui).",
        _object({"location": {"type": "string", "description": "City name, e.g. Paris"}}, ["location"]),
        auto_answer=False, example="weather",
        canned_outputs=('{"temperature_c": 21, "conditions": "sunny"}', '{"temperature_c": 4, "conditions": "snow"}')),
    ToolDefinition(
        "calculate", "Evaluate an arithmetic expression exactly (+ - * / ** and sqrt, sin, log…).",
        _object({"expression": {"type": "string", "description": "e.g. (2 + 3) * sqrt(16)"}}, ["expression"]),
        auto_answer=True, example="calculator"),
)
