"""The user's keymap: `[keymap]` in the config file maps binding ids to keys, applied with `App.set_keymap`.

    [keymap]
    "app.quit" = "ctrl+x"          # one key
    "conversation.send" = "ctrl+s,f5"   # or several, comma-separated (a TOML list works too)

Checked once at startup, before anything is applied:
- unknown ids (no Binding anywhere has that id) and malformed keys are reported and skipped;
- a conflict — after remapping, one key in one scope (an app, screen or widget class with its inherited
  bindings) leads to two different bindings — is reported and the remaps involved are skipped, so the
  defaults keep working instead of one of the actions silently never firing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import Keys, _normalize_key_list, key_to_character

if TYPE_CHECKING:
    from textual.app import App

MODIFIERS = {"ctrl", "alt", "shift", "meta", "super", "hyper"}
NAMED_KEYS = {key.value for key in Keys if "+" not in key.value and not key.value.startswith("<")}

ProblemKind = Literal["unknown-id", "bad-key", "conflict"]


@dataclass(frozen=True)
class KeymapProblem:
    kind: ProblemKind
    binding_ids: tuple[str, ...]
    message: str


def apply_user_keymap(app: App[Any], keymap: Mapping[str, Any]) -> list[KeymapProblem]:
    """Check `keymap` against every binding `app` can reach, apply the good entries, return the problems."""
    problems, good = check_keymap(keymap, binding_scopes(app))
    app.set_keymap(good)
    return problems


def describe_problems(problems: Iterable[KeymapProblem]) -> str:
    """One user-facing message ('' when there is nothing to say)."""
    lines = [problem.message for problem in problems]
    if not lines:
        return ""
    return "\n".join([f"Keymap: {len(lines)} problem(s) in [keymap]; those entries were not applied:", *lines])


def check_keymap(
    keymap: Mapping[str, Any], scopes: Mapping[str, list[Binding]]
) -> tuple[list[KeymapProblem], dict[str, str]]:
    """Returns (problems, the entries safe to apply, keys normalised as Textual expects)."""
    known_ids = {binding.id for bindings in scopes.values() for binding in bindings if binding.id}
    problems: list[KeymapProblem] = []
    candidates: dict[str, str] = {}
    for binding_id, raw_keys in keymap.items():
        if binding_id not in known_ids:
            hint = _closest(binding_id, known_ids)
            problems.append(KeymapProblem("unknown-id", (binding_id,), f"  {binding_id!r}: no binding has this id{hint}"))
            continue
        keys, reason = _parse_keys(raw_keys)
        if reason:
            problems.append(KeymapProblem("bad-key", (binding_id,), f"  {binding_id!r}: {reason}"))
            continue
        candidates[binding_id] = keys
    conflicts = _conflicts(candidates, scopes) + _typing_conflicts(candidates, scopes)
    problems += conflicts
    rejected = {binding_id for problem in conflicts for binding_id in problem.binding_ids}
    return problems, {key: value for key, value in candidates.items() if key not in rejected}


def binding_scopes(app: App[Any]) -> dict[str, list[Binding]]:
    """Every binding scope the app can reach: its own class, mounted nodes, and every imported widget/screen class."""
    classes: dict[str, type[DOMNode]] = {}
    for cls in [type(app), *_all_subclasses(DOMNode)]:
        classes.setdefault(f"{cls.__module__}.{cls.__qualname__}", cls)
    for screen in app.screen_stack:
        for node in screen.walk_children(with_self=True):
            classes.setdefault(f"{type(node).__module__}.{type(node).__qualname__}", type(node))
    scopes = {name: _class_bindings(cls) for name, cls in classes.items()}
    if app.ENABLE_COMMAND_PALETTE:  # added by App.__init__, not in BINDINGS
        app_scope = f"{type(app).__module__}.{type(app).__qualname__}"
        scopes[app_scope].append(Binding(app.COMMAND_PALETTE_BINDING, "command_palette", "palette"))
    return {name: bindings for name, bindings in scopes.items() if bindings}


def _class_bindings(cls: type[DOMNode]) -> list[Binding]:
    unique: dict[int, Binding] = {}
    for bindings in cls._merge_bindings().key_to_bindings.values():
        for binding in bindings:
            unique.setdefault(id(binding), binding)
    return list(unique.values())


def _all_subclasses(base: type) -> list[type]:
    found: list[type] = []
    pending = list(base.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _parse_keys(raw: Any) -> tuple[str, str]:
    if isinstance(raw, (list, tuple)) and all(isinstance(item, str) for item in raw):
        raw = ",".join(raw)
    if not isinstance(raw, str) or not raw.strip():
        return "", f"keys must be a string like \"ctrl+r\" (or a list of them), not {raw!r}"
    keys = [key.strip() for key in raw.split(",")]
    for key in keys:
        reason = _key_problem(key)
        if reason:
            return "", reason
    return _normalize_key_list(",".join(keys)), ""


def _key_problem(key: str) -> str:
    *modifiers, name = key.split("+") if len(key) > 1 else [key]
    bad = [modifier for modifier in modifiers if modifier not in MODIFIERS]
    if bad:
        return f"{key!r}: unknown modifier {bad[0]!r} (use {', '.join(sorted(MODIFIERS))})"
    if len(name) == 1 or name in NAMED_KEYS or key_to_character(name) is not None:
        return ""
    return f"{key!r}: unknown key {name!r} (e.g. \"a\", \"f5\", \"enter\", \"space\", \"question_mark\")"


def _conflicts(candidates: Mapping[str, str], scopes: Mapping[str, list[Binding]]) -> list[KeymapProblem]:
    reported: dict[frozenset[str], KeymapProblem] = {}
    for scope, bindings in scopes.items():
        owners: dict[str, dict[str, bool]] = {}  # key -> {binding label: remapped?}
        for binding in bindings:
            remapped = binding.id in candidates
            keys = candidates[binding.id] if remapped and binding.id else _normalize_key_list(binding.key)
            for key in keys.split(","):
                owners.setdefault(key, {})[binding.id or binding.action] = remapped
        for key, labels in owners.items():
            remapped_ids = tuple(sorted(label for label, remapped in labels.items() if remapped))
            if len(labels) < 2 or not remapped_ids:
                continue
            signature = frozenset(labels) | {key}
            if signature not in reported:
                names = " and ".join(repr(label) for label in sorted(labels))
                message = f"  conflict: {key!r} would trigger both {names} in {scope.rsplit('.', 1)[-1]}"
                reported[signature] = KeymapProblem("conflict", remapped_ids, message)
    return list(reported.values())


def _typing_conflicts(candidates: Mapping[str, str], scopes: Mapping[str, list[Binding]]) -> list[KeymapProblem]:
    """A priority binding fires before the focused widget: on a key that types text it would steal that key
    from every input (remapping quit to "q" would quit while you type "queue"). One whose default key already
    types text (push-to-talk on space) is built to let typing through, so it may have another such key."""
    priority_ids = {binding.id for bindings in scopes.values() for binding in bindings
                    if binding.priority and not _types_text(_normalize_key_list(binding.key).split(","))}
    problems = []
    for binding_id, keys in candidates.items():
        typed = _types_text(keys.split(","))
        if binding_id in priority_ids and typed:
            problems.append(KeymapProblem("conflict", (binding_id,), f"  conflict: {typed[0]!r} types text, and "
                                          f"{binding_id!r} works even while you type: use a key with ctrl/alt or an F key"))
    return problems


def _types_text(keys: list[str]) -> list[str]:
    return [key for key in keys if (key_to_character(key) or "\n").isprintable()]


def _closest(binding_id: str, known_ids: set[str]) -> str:
    import difflib

    match = difflib.get_close_matches(binding_id, sorted(known_ids), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""
