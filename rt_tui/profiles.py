"""Named targets in the config file, and writing settings back without losing the user's comments.

    theme = "rt-ember"                  # the persisted theme choice

    [profiles.dev]                      # an Azure resource with keyless (Entra ID) auth
    provider = "azure"
    endpoint = "https://my-res.openai.azure.com"
    deployment = "gpt-realtime"

    [profiles.dev.session]              # any SessionConfig setting
    voice = "cedar"

    [profiles.openai]
    provider = "openai"
    model = "gpt-realtime"
    api_key_env = "MY_OPENAI_KEY"       # the key is read from this environment variable

Keys are never written to or read from profiles: `api_key_env` names the variable that holds it.
Writing goes through tomlkit, so comments, ordering and formatting of everything else survive.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from rt_tui.config import autoapply_delay_problem

TARGET_KEYS = ("provider", "endpoint", "deployment", "api_version", "model", "openai_base_url", "local", "api_key_env")
APP_KEYS = ("autoapply_delay_ms",)  # how the app behaves with this profile (checked like rt_tui/config.py does)
SECRET_KEYS = ("api_key", "azure_api_key", "openai_api_key", "key", "token", "password")
PROVIDERS = ("azure", "openai", "local")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class ProfileError(Exception):
    """A profile that cannot be used or saved; `field` is the dotted key to fix."""

    def __init__(self, path: Path | None, field: str, reason: str) -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{field}: {reason}")
        self.path = path
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Profile:
    name: str
    provider: str | None = None
    endpoint: str | None = None
    deployment: str | None = None
    api_version: str | None = None
    model: str | None = None
    openai_base_url: str | None = None
    local: bool | None = None
    api_key_env: str | None = None
    autoapply_delay_ms: float | None = None
    session: dict[str, Any] = field(default_factory=dict)
    tools: list[dict[str, Any]] | None = None  # the profile's [[profiles.NAME.tools]] (rt_tui.core.tools tables)

    def api_key(self, env: Mapping[str, str] = os.environ) -> str | None:
        """The key from the referenced environment variable (None when no reference or the variable is unset)."""
        if not self.api_key_env:
            return None
        value = env.get(self.api_key_env, "").strip()
        return value or None

    def config_values(self, env: Mapping[str, str] = os.environ) -> dict[str, Any]:
        """The flat file keys `rt_tui.config` understands, with the referenced key resolved for the provider."""
        values = {key: getattr(self, key) for key in TARGET_KEYS if key != "api_key_env" and getattr(self, key) is not None}
        key = self.api_key(env)
        if key:
            provider = self.provider or ("azure" if self.endpoint else "openai")
            values["openai_api_key" if provider == "openai" else "azure_api_key"] = key
        return values

    def describe(self) -> str:
        """One line for the palette: never the key, only where it comes from."""
        parts = [self.provider or ("local" if self.local else "auto")]
        parts += [value for value in (self.endpoint, self.deployment or self.model) if value]
        if self.api_key_env:
            parts.append(f"key from ${self.api_key_env}")
        elif self.provider == "azure":
            parts.append("Entra ID")
        return " · ".join(parts)


def read_document(path: Path) -> tomlkit.TOMLDocument:
    if not path.is_file():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise ProfileError(path, "(file)", f"cannot be read as TOML: {exc}") from None


def read_profiles(path: Path) -> dict[str, Profile]:
    """Every `[profiles.NAME]` in the file, validated; raises `ProfileError` for the first bad one."""
    tables = read_document(path).unwrap().get("profiles", {})
    if not isinstance(tables, dict):
        raise ProfileError(path, "profiles", "must be a table of [profiles.NAME] tables")
    return {name: profile_from_table(name, table, path) for name, table in tables.items()}


def profile_from_table(name: str, table: Any, path: Path | None = None) -> Profile:
    where = f"profiles.{name}"
    if not _PROFILE_NAME.match(name):
        raise ProfileError(path, where, "a profile name is letters, digits, '-' or '_'")
    if not isinstance(table, dict):
        raise ProfileError(path, where, "must be a table")
    values = dict(table)
    session = values.pop("session", {})
    tools = values.pop("tools", None)
    for key in values:
        _check_target_value(path, where, key, values[key])
    _check_session(path, where, session)
    if tools is not None:
        _check_tools(path, f"{where}.tools", tools)
    return Profile(name=name, session=dict(session), tools=tools, **values)


def _check_tools(path: Path | None, where: str, tools: Any) -> None:
    from rt_tui.core.tools import ToolError, ToolLibrary

    try:
        ToolLibrary.from_tables(tools, where)
    except ToolError as exc:
        raise ProfileError(path, exc.field, exc.reason) from None


def _check_target_value(path: Path | None, where: str, key: str, value: Any) -> None:
    if key in SECRET_KEYS:
        raise ProfileError(path, f"{where}.{key}", "keys do not belong in the config file: export the key in an "
                           "environment variable and set api_key_env = \"THAT_VARIABLE\"")
    if key in APP_KEYS:
        problem = autoapply_delay_problem(value)
        if problem:
            raise ProfileError(path, f"{where}.{key}", problem)
        return
    if key not in TARGET_KEYS:
        raise ProfileError(path, f"{where}.{key}",
                           f"unknown key (known: {', '.join(TARGET_KEYS + APP_KEYS)}, [session])")
    if key == "local":
        if not isinstance(value, bool):
            raise ProfileError(path, f"{where}.local", "must be true or false")
        return
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(path, f"{where}.{key}", "must be a non-empty string")
    if key == "provider" and value not in PROVIDERS:
        raise ProfileError(path, f"{where}.provider", f"must be one of {', '.join(PROVIDERS)}")
    if key == "api_key_env" and not _ENV_NAME.match(value):
        raise ProfileError(path, f"{where}.api_key_env", "must be the NAME of an environment variable, not the key")


def _check_session(path: Path | None, where: str, session: Any) -> None:
    if not isinstance(session, dict):
        raise ProfileError(path, f"{where}.session", "must be a table of session settings")
    from pydantic import ValidationError

    from rt_tui.core.session import SessionConfig, describe_errors

    try:
        SessionConfig.model_validate(session)
    except ValidationError as exc:
        field_name, reason = next(iter(describe_errors(exc).items()))
        raise ProfileError(path, f"{where}.session.{field_name}".rstrip("."), reason) from None


def session_values(config: Any, inherited: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A `SessionConfig` as the TOML table to save: only what differs from the defaults (TOML has no null).

    `inherited` is the file's top-level `[session]`, which a profile's table overlays key by key: a setting
    back at its default is then written out too, or loading the profile would bring the inherited one back.
    (A setting that is off — None — cannot be written, so the inherited value still wins for those.)
    """
    values = _without_none(config.model_dump(exclude_defaults=True))
    current = config.model_dump()
    for key, value in (inherited or {}).items():
        if key in values or current.get(key) is None:
            continue
        try:
            differs = getattr(type(config).model_validate({key: value}), key) != getattr(config, key)
        except ValueError:  # an inherited value that does not validate: the profile's own wins
            differs = True
        if differs:
            values[key] = _without_none(current[key]) if isinstance(current[key], dict) else current[key]
    return values


def save_profile(path: Path, name: str, values: Mapping[str, Any]) -> None:
    """Create or update `[profiles.NAME]` in place; every other line of the file is kept as it was.

    `values`: target keys (None removes a key) and optionally `session` (a mapping that replaces the
    profile's session table, nested tables updated in place so their comments survive) and `tools`
    (the tool library's tables, replacing `[[profiles.NAME.tools]]`).
    """
    values = dict(values)
    session = values.pop("session", None)
    tools = values.pop("tools", None)
    profile_from_table(name, {**{k: v for k, v in values.items() if v is not None}, "session": session or {},
                              **({"tools": tools} if tools is not None else {})}, path)
    doc = read_document(path)
    profiles = doc.get("profiles")
    if profiles is None:
        profiles = tomlkit.table(is_super_table=True)
        doc["profiles"] = profiles
    if not isinstance(profiles, dict):
        raise ProfileError(path, "profiles", "must be a table of [profiles.NAME] tables")
    if name not in profiles:
        profiles[name] = tomlkit.table()
    table = profiles[name]
    if not isinstance(table, dict):
        raise ProfileError(path, f"profiles.{name}", "must be a table")
    for key, value in values.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    if session is not None:
        _replace_table(table, "session", _without_none(dict(session)))
    if tools is not None:
        table["tools"] = _array_of_tables(tools)
    write_document(path, doc)


def save_tools(path: Path, tools: list[dict[str, Any]], profile: str | None = None) -> None:
    """Write the tool library as `[[tools]]`, or as `[[profiles.NAME.tools]]` when a profile is active."""
    where = f"profiles.{profile}.tools" if profile else "tools"
    _check_tools(path, where, tools)
    doc = read_document(path)
    if profile:
        table = (doc.get("profiles") or {}).get(profile)
        if not isinstance(table, dict):
            raise ProfileError(path, f"profiles.{profile}", "no such profile table to save the tools into")
        table["tools"] = _array_of_tables(tools)
    else:
        doc["tools"] = _array_of_tables(tools)
    write_document(path, doc)


def _array_of_tables(rows: list[dict[str, Any]]) -> Any:
    array = tomlkit.aot()
    for row in rows:
        table = tomlkit.table()
        for key, value in _without_none(dict(row)).items():
            table[key] = _readable(value)
        array.append(table)
    return array


def _readable(value: Any) -> Any:
    """JSON text as a TOML literal string ('{"type": …}'), so it reads without backslashes."""
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_readable(item) for item in value)
        return array
    if isinstance(value, str) and '"' in value and "'" not in value and "\n" not in value:
        return tomlkit.string(value, literal=True)
    return value


def read_theme_choice(path: Path) -> str | None:
    theme = read_document(path).get("theme")
    return str(theme) if isinstance(theme, str) and theme else None


def save_theme_choice(path: Path, theme: str) -> None:
    doc = read_document(path)
    doc["theme"] = theme
    write_document(path, doc)


def write_document(path: Path, doc: tomlkit.TOMLDocument) -> None:
    """Atomic write: a crash never leaves a half-written config file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(tomlkit.dumps(doc))
        if path.exists():
            os.chmod(temp_name, path.stat().st_mode & 0o777)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _replace_table(parent: Any, key: str, values: dict[str, Any]) -> None:
    if not values:
        parent.pop(key, None)
        return
    if not isinstance(parent.get(key), (Table, dict)):
        parent[key] = tomlkit.table()
    table = parent[key]
    for stale in [existing for existing in table if existing not in values]:
        del table[stale]
    for sub_key, value in values.items():
        if isinstance(value, dict) and value:
            _replace_table(table, sub_key, value)
        elif table.get(sub_key) != value:
            table[sub_key] = value


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _without_none(value)
            if not value:
                continue
        if value is not None:
            cleaned[key] = value
    return cleaned
