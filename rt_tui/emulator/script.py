"""`--script FILE`: reply rules and timing knobs from TOML or JSON.

```toml
[timing]                 # any of: realtime_factor, first_delta_ms, text_delta_ms, transcription_delay_ms
first_delta_ms = 100

[[rules]]
pattern = "order (?P<dish>\\w+)"
reply = "One {dish}, coming up."

[[rules]]
pattern = "book a table for (?P<n>\\d+)"
tool = "book_table"
arguments = { people = "{n}" }
```
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .responder import Rule

try:
    from tomllib import loads as _toml_loads
except ModuleNotFoundError:  # Python 3.10
    import tomlkit

    def _toml_loads(text: str) -> dict[str, Any]:
        return tomlkit.parse(text).unwrap()

TIMING_KNOBS = {"realtime_factor", "first_delta_ms", "text_delta_ms", "transcription_delay_ms"}


class ScriptError(ValueError):
    pass


@dataclass(frozen=True)
class Script:
    rules: tuple[Rule, ...] = ()
    timing: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Script:
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else _toml_loads(text)
        except Exception as exc:  # each TOML library has its own error type
            raise ScriptError(f"{path}: {exc}") from exc
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "script") -> Script:
        unknown = set(data) - {"rules", "timing"}
        if unknown:
            raise ScriptError(f"{where}: unknown section(s) {sorted(unknown)}; expected 'rules' and 'timing'")
        timing = dict(data.get("timing") or {})
        for key, value in timing.items():
            if key not in TIMING_KNOBS:
                raise ScriptError(f"{where}: unknown timing knob '{key}' (known: {sorted(TIMING_KNOBS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ScriptError(f"{where}: timing.{key} must be a number >= 0")
        return cls(tuple(_rule(raw, f"{where}: rules[{i}]") for i, raw in enumerate(data.get("rules") or [])),
                   timing)


def _rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("pattern"), str):
        raise ScriptError(f"{where}: needs a 'pattern' string")
    try:
        re.compile(raw["pattern"])
    except re.error as exc:
        raise ScriptError(f"{where}: bad pattern: {exc}") from exc
    if (raw.get("reply") is None) == (raw.get("tool") is None):
        raise ScriptError(f"{where}: needs exactly one of 'reply' or 'tool'")
    unknown = set(raw) - {"pattern", "reply", "tool", "arguments"}
    if unknown:
        raise ScriptError(f"{where}: unknown key(s) {sorted(unknown)}")
    groups = set(re.compile(raw["pattern"]).groupindex)
    templates = [raw.get("reply") or "", *(v for v in (raw.get("arguments") or {}).values() if isinstance(v, str))]
    for template in templates:
        names = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
        if names - groups:
            raise ScriptError(f"{where}: {sorted(names - groups)} used in a template but not a named group "
                              "(?P<name>…) of the pattern")
    return Rule(raw["pattern"], raw.get("reply"), raw.get("tool"), dict(raw.get("arguments") or {}))
