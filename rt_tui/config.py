"""Settings from flags, environment, a TOML file and defaults → the resolved connection `Target`.

Precedence, per setting: command-line flag > environment variable > config file > default.
Every value remembers where it came from, so a `ConfigError` names the exact thing to fix.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping
from urllib.parse import urlsplit

from rt_tui.core.eventlog import DEFAULT_CAPACITY as INSPECTOR_EVENTS
from rt_tui.net import is_loopback

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Provider = Literal["azure", "openai", "local"]
Route = Literal["ga", "classic"]
AuthKind = Literal["api-key", "entra", "bearer", "none"]

DEFAULT_MODEL = "gpt-realtime"
ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"
FIRST_GA_API_VERSION = "2025-08-28"
EMULATOR_BETA_API_VERSION = "2025-04-01-preview"

_API_VERSION = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(-preview)?$")
_DEPLOYMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# The same keys as rt_tui/profiles.py: top level or in [profiles.NAME]. Keys (secrets) never live in the
# file; `api_key_env` names the environment variable that holds one.
_FILE_KEYS = {"provider", "endpoint", "deployment", "api_version", "model", "openai_base_url", "local", "api_key_env"}
_SECRET_FILE_KEYS = {"api_key", "azure_api_key", "openai_api_key", "key", "token", "password"}
_OTHER_TOP_LEVEL_KEYS = {"theme", "keymap"}  # read by the UI (rt_tui/themes.py, rt_tui/keymap.py)
# The inspector's ring belongs to the machine (its memory), not to a target: top level only.
_INSPECTOR_FILE_KEYS = {"inspector_events"}
INSPECTOR_EVENTS_RANGE = (1_000, 1_000_000)
# Audio devices belong to the machine, not to a target: top level only (profiles.py refuses them in a profile).
_AUDIO_FILE_KEYS = {"input_device", "output_device", "output_latency"}
# How the app behaves: top level or in a profile (profiles.py checks them there with the same function).
_APP_FILE_KEYS = {"autoapply_delay_ms"}
AUTOAPPLY_DELAY_MS = 2000
AUTOAPPLY_DELAY_RANGE_MS = (300, 30000)


class ConfigError(Exception):
    """Bad configuration, reported before connecting; `variable` is what the user should change."""

    def __init__(self, message: str, variable: str) -> None:
        super().__init__(message)
        self.message = message
        self.variable = variable


@dataclass(frozen=True)
class Target:
    """Where and how to connect. `api_key` never appears in repr() or describe()."""

    provider: Provider
    endpoint: str  # Azure resource URL, OpenAI base URL, or the emulator's http://127.0.0.1:P ("" = not started yet)
    model: str  # OpenAI model, or the Azure deployment name
    route: Route = "ga"
    dialect: Literal["ga", "beta"] = "ga"
    auth: AuthKind = "none"
    api_version: str | None = None
    api_key: str | None = field(default=None, repr=False, compare=False)

    @property
    def deployment(self) -> str | None:
        return self.model if self.provider == "azure" else None

    @property
    def host(self) -> str:
        return urlsplit(self.endpoint).netloc if self.endpoint else ""

    def describe(self) -> str:
        """One line for the status bar: provider, dialect, auth kind, deployment/model, endpoint host.

        The short facts come first and the long host and route last: a narrow status bar cuts the end.
        """
        dialect = "GA" if self.dialect == "ga" else "beta (preview)"
        if self.provider == "local":
            where = self.host or "embedded"
            return f"local emulator (not a model) · {dialect} · {self.model} · {where}"
        auth = _AUTH_LABELS[self.auth]
        if self.provider == "azure":
            route = "v1 route" if self.route == "ga" else f"api-version {self.api_version}"
            return f"Azure OpenAI · {dialect} · {auth} · deployment {self.model} · {self.host} · {route}"
        return f"OpenAI · {dialect} · {auth} · model {self.model} · {self.host}"


_AUTH_LABELS = {"api-key": "API key", "entra": "Microsoft Entra ID", "bearer": "API key (Bearer)", "none": "no auth"}


@dataclass(frozen=True)
class Settings:
    target: Target
    config_path: Path | None = None  # the TOML file that was read, if any
    profile: str | None = None
    record: Path | None = None
    record_audio: bool = True  # mic and assistant WAV tracks beside a recording
    session: dict[str, Any] = field(default_factory=dict)  # the file's [session] table, for SessionConfig
    tools: list[dict[str, Any]] | None = None  # the file's [[tools]] (profile's if it has them); None = examples
    input_device: str | None = None  # microphone: a device index or (part of) its name; None = system default
    output_device: str | None = None  # speaker, likewise
    autoapply_delay_ms: float = AUTOAPPLY_DELAY_MS  # instructions auto-apply: idle time after the last keystroke
    output_latency: str | float = "auto"  # speaker buffering: "auto", "low", "high" or seconds
    inspector_events: int = INSPECTOR_EVENTS  # the event inspector keeps this many newest events

    @property
    def needs_embedded_emulator(self) -> bool:
        return self.target.provider == "local" and not self.target.endpoint


@dataclass(frozen=True)
class _Value:
    value: Any
    source: str  # the flag, environment variable or file key it came from


def load_settings(args: argparse.Namespace | None = None, env: Mapping[str, str] = os.environ) -> Settings:
    """Resolve flags, environment and config file into `Settings`; raise `ConfigError` when they don't make sense."""
    flags = vars(args) if args is not None else {}
    path, explicit_path = _config_path(flags, env)
    file_values, session, tools = _read_config_file(path, explicit_path, flags.get("profile"))
    _resolve_key_reference(file_values, env, path)

    def pick(flag: str | None, env_var: str | None, file_key: str) -> _Value | None:
        if flag and flags.get(flag.lstrip("-").replace("-", "_")) not in (None, False, ""):
            return _Value(flags[flag.lstrip("-").replace("-", "_")], flag)
        if env_var and env.get(env_var, "").strip():
            return _Value(env[env_var].strip(), env_var)
        if file_key in file_values and file_values[file_key] not in (None, ""):
            return _Value(file_values[file_key], f"'{file_key}' in {path}")
        return None

    values = {
        "local": pick("--local", "RT_TUI_LOCAL", "local"),
        "provider": pick(None, "RT_TUI_PROVIDER", "provider"),
        "endpoint": pick("--endpoint", "AZURE_OPENAI_ENDPOINT", "endpoint"),
        "deployment": pick("--model", "AZURE_OPENAI_DEPLOYMENT_NAME", "deployment"),
        "api_version": pick("--api-version", "OPENAI_API_VERSION", "api_version"),
        "azure_key": pick(None, "AZURE_OPENAI_API_KEY", "azure_api_key"),
        "openai_key": pick(None, "OPENAI_API_KEY", "openai_api_key"),
        "openai_base_url": pick(None, "OPENAI_BASE_URL", "openai_base_url"),
        "model": pick("--model", None, "model"),
        "input_device": pick("--input-device", "RT_TUI_INPUT_DEVICE", "input_device"),
        "output_device": pick("--output-device", "RT_TUI_OUTPUT_DEVICE", "output_device"),
        "output_latency": pick(None, "RT_TUI_OUTPUT_LATENCY", "output_latency"),
    }
    target = _resolve_target(values)
    record = flags.get("record")
    if record and Path(record).exists():
        raise ConfigError(f"{record} already exists and was not overwritten: choose another file name, "
                          "or move that one away first.", "--record")
    return Settings(
        target=target,
        config_path=path if path.is_file() else None,
        profile=flags.get("profile"),
        record=Path(record) if record else None,
        record_audio=flags.get("record_audio", True) is not False,
        session=session,
        tools=tools,
        input_device=_device(values["input_device"]),
        output_device=_device(values["output_device"]),
        autoapply_delay_ms=file_values.get("autoapply_delay_ms", AUTOAPPLY_DELAY_MS),
        output_latency=_output_latency(values["output_latency"]),
        inspector_events=file_values.get("inspector_events", INSPECTOR_EVENTS),
    )


def autoapply_delay_problem(value: Any) -> str | None:
    """Why `value` cannot be the instructions auto-apply delay (milliseconds), or None when it can."""
    low, high = AUTOAPPLY_DELAY_RANGE_MS
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        return (f"must be a number of milliseconds from {low} to {high} (got {value!r}): the pause after the last "
                "keystroke before auto-apply sends the instructions; a shorter one would send an update at every "
                "pause in typing")
    return None


def _check_app_values(table: Mapping[str, Any], where: str, path: Path) -> None:
    if "autoapply_delay_ms" in table:
        problem = autoapply_delay_problem(table["autoapply_delay_ms"])
        if problem:
            key = f"{where}autoapply_delay_ms"
            raise ConfigError(f"'{key}' in {path} {problem}.", key)


def _check_inspector_events(table: Mapping[str, Any], path: Path) -> None:
    if "inspector_events" not in table:
        return
    value, (low, high) = table["inspector_events"], INSPECTOR_EVENTS_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"'inspector_events' in {path} must be a whole number from {low:,} to {high:,} "
                          f"(got {value!r}): how many of the newest events the inspector keeps", "inspector_events")


def resolve_target_for_emulator(url: str, dialect: Literal["ga", "beta"] = "ga", model: str = DEFAULT_MODEL) -> Target:
    """The target for a running local emulator at `url` (ws://127.0.0.1:P or http://…).

    GA uses the OpenAI-style `/v1/realtime` route; beta uses the Azure classic route with a preview api-version
    (the emulator, like api.openai.com, refuses the beta header on `/v1`).
    """
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    endpoint = f"{scheme}://{parts.netloc}"
    if dialect == "beta":
        return Target("local", endpoint, model, route="classic", dialect="beta", auth="none",
                      api_version=EMULATOR_BETA_API_VERSION)
    return Target("local", endpoint, model, route="ga", dialect="ga", auth="none")


def _config_path(flags: Mapping[str, Any], env: Mapping[str, str]) -> tuple[Path, bool]:
    if flags.get("config"):
        return Path(flags["config"]).expanduser(), True
    if env.get("RT_TUI_CONFIG", "").strip():
        return Path(env["RT_TUI_CONFIG"].strip()).expanduser(), True
    import platformdirs

    return Path(platformdirs.user_config_dir("rt-tui", appauthor=False)) / "config.toml", False


def _read_config_file(path: Path, explicit: bool, profile: str | None
                      ) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]] | None]:
    variable = "--config / RT_TUI_CONFIG"
    if not path.is_file():
        if explicit:
            raise ConfigError(f"Config file {path} does not exist.", variable)
        if profile:
            raise ConfigError(f"Profile '{profile}' asked for, but there is no config file at {path}.", "--profile")
        return {}, {}, None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}", variable) from exc
    profiles = data.pop("profiles", {})
    session = data.pop("session", {})
    tools = data.pop("tools", None)
    tools_key = "tools"
    values = dict(data)
    _check_app_values(values, "", path)
    _check_inspector_events(values, path)
    if profile:
        if profile not in profiles:
            known = ", ".join(sorted(profiles)) or "none"
            raise ConfigError(f"No profile '{profile}' in {path} (profiles: {known}).", "--profile")
        chosen = dict(profiles[profile])
        session = {**session, **chosen.pop("session", {})}
        if "tools" in chosen:
            tools, tools_key = chosen.pop("tools"), f"profiles.{profile}.tools"
        _check_app_values(chosen, f"profiles.{profile}.", path)
        if "inspector_events" in chosen:
            raise ConfigError(f"'profiles.{profile}.inspector_events' in {path}: the inspector's size is set at the "
                              "top level of the file only.", f"profiles.{profile}.inspector_events")
        values.update(chosen)
    secrets = sorted(set(values) & _SECRET_FILE_KEYS)
    if secrets:
        raise ConfigError(
            f"{secrets[0]!r} in {path}: keys do not belong in the config file. Export the key in an environment "
            'variable and set api_key_env = "THAT_VARIABLE".', secrets[0])
    top_level = _OTHER_TOP_LEVEL_KEYS | _AUDIO_FILE_KEYS | _INSPECTOR_FILE_KEYS
    unknown = sorted(set(values) - _FILE_KEYS - top_level - _APP_FILE_KEYS)
    if unknown:
        known = ", ".join(sorted(_FILE_KEYS | _AUDIO_FILE_KEYS | _INSPECTOR_FILE_KEYS | _APP_FILE_KEYS))
        raise ConfigError(
            f"Unknown key {unknown[0]!r} in {path}; known keys: {known}, theme, "
            "[keymap], [session], [[tools]], [profiles.NAME].",
            unknown[0],
        )
    if tools is not None:
        _check_tools(tools, tools_key, path)
    return values, dict(session), tools


def _check_tools(tools: Any, key: str, path: Path) -> None:
    from rt_tui.core.tools import ToolError, ToolLibrary

    try:
        ToolLibrary.from_tables(tools, key)
    except ToolError as exc:
        raise ConfigError(f"{exc.field} in {path}: {exc.reason}", exc.field) from None


def _resolve_key_reference(values: dict[str, Any], env: Mapping[str, str], path: Path) -> None:
    """`api_key_env = "NAME"` → the key in $NAME, offered as the file's Azure and OpenAI key."""
    name = values.pop("api_key_env", None)
    if not name:
        return
    key = env.get(str(name), "").strip()
    if not key:
        raise ConfigError(f"'api_key_env' in {path} names ${name}, but that environment variable is not set.",
                          str(name))
    values["azure_api_key"] = values["openai_api_key"] = key


def _resolve_target(v: dict[str, _Value | None]) -> Target:
    provider = _choose_provider(v)
    if provider == "local":
        return Target("local", "", _model(v), route="ga", dialect="ga", auth="none")
    if provider == "openai":
        return _openai_target(v)
    return _azure_target(v)


def _choose_provider(v: dict[str, _Value | None]) -> Provider:
    local, endpoint, explicit = v["local"], v["endpoint"], v["provider"]
    if local and _truthy(local.value):
        for name in ("endpoint", "api_version"):
            other = v[name]
            if other and other.source.startswith("--"):
                raise ConfigError(f"{local.source} and {other.source} conflict: choose one.", other.source)
        return "local"
    if explicit:
        choice = str(explicit.value).lower()
        if choice not in ("azure", "openai", "local"):
            raise ConfigError(f"{explicit.source} must be azure, openai or local (got {explicit.value!r}).",
                              explicit.source)
        if choice == "azure" and not endpoint:
            raise ConfigError(f"{explicit.source} selects Azure but no endpoint is set: set AZURE_OPENAI_ENDPOINT.",
                              "AZURE_OPENAI_ENDPOINT")
        if choice == "openai" and not v["openai_key"]:
            raise ConfigError(f"{explicit.source} selects OpenAI but OPENAI_API_KEY is not set.", "OPENAI_API_KEY")
        return choice  # type: ignore[return-value]
    if endpoint:
        return "azure"
    if v["openai_key"]:
        api_version = v["api_version"]
        if api_version and api_version.source.startswith("--"):
            raise ConfigError(f"{api_version.source} applies to Azure only: also set AZURE_OPENAI_ENDPOINT "
                              "(or --endpoint).", api_version.source)
        return "openai"
    partial = [value for value in (v["azure_key"], v["deployment"], v["api_version"])
               if value and not value.source.startswith("--")]
    if partial:
        raise ConfigError(f"{partial[0].source} is set but AZURE_OPENAI_ENDPOINT is not: set the endpoint of your "
                          "Azure OpenAI resource (or pass --local for the built-in emulator).", "AZURE_OPENAI_ENDPOINT")
    return "local"


def _openai_target(v: dict[str, _Value | None]) -> Target:
    base = v["openai_base_url"]
    base_url = _check_url(base, allow_path=True) if base else "https://api.openai.com/v1"
    key = v["openai_key"]
    assert key is not None
    return Target("openai", base_url, _model(v), route="ga", dialect="ga", auth="bearer", api_key=str(key.value))


def _azure_target(v: dict[str, _Value | None]) -> Target:
    endpoint = v["endpoint"]
    assert endpoint is not None
    url = _check_url(endpoint, allow_path=False)
    deployment = v["deployment"]
    if not deployment:
        raise ConfigError("No Azure deployment: set AZURE_OPENAI_DEPLOYMENT_NAME (or pass --model) to your "
                          "realtime deployment's name.", "AZURE_OPENAI_DEPLOYMENT_NAME")
    name = str(deployment.value).strip()
    if not _DEPLOYMENT.match(name):
        raise ConfigError(f"{deployment.source} is not a valid deployment name ({name!r}): use letters, digits, "
                          "'-', '_' or '.', at most 64 characters.", deployment.source)
    key = v["azure_key"]
    auth: AuthKind = "api-key" if key else "entra"
    api_key = str(key.value) if key else None
    version = v["api_version"]
    if not version:
        return Target("azure", url, name, route="ga", dialect="ga", auth=auth, api_key=api_key)
    api_version = str(version.value).strip()
    return Target("azure", url, name, route="classic", dialect=_dialect_for(api_version, version.source),
                  auth=auth, api_version=api_version, api_key=api_key)


def _dialect_for(api_version: str, source: str) -> Literal["ga", "beta"]:
    match = _API_VERSION.match(api_version)
    if not match:
        raise ConfigError(
            f"{source} has an unknown api-version form {api_version!r}: expected YYYY-MM-DD (e.g. "
            f"{FIRST_GA_API_VERSION}) or YYYY-MM-DD-preview (e.g. 2025-04-01-preview); unset it to use the GA "
            "v1 route.", source)
    if match.group(4) or api_version[:10] < FIRST_GA_API_VERSION:
        return "beta"
    return "ga"


def _check_url(value: _Value, *, allow_path: bool) -> str:
    raw = str(value.value).strip()
    parts = urlsplit(raw)
    example = "https://api.openai.com/v1" if allow_path else "https://my-resource.openai.azure.com"
    problem = None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problem = "is not an http(s) URL"
    elif parts.scheme == "http" and not is_loopback(parts.hostname):
        problem = "uses http:// for a remote host (use https://)"
    elif parts.query or parts.fragment:
        problem = "has a query or fragment"
    if problem is None:
        try:
            parts.port
        except ValueError:
            problem = "has an invalid port"
    path = parts.path.rstrip("/")
    if problem is None and not allow_path:
        path = re.sub(r"/openai(/v1)?$", "", path)
        if path:
            problem = f"has a path ({parts.path}); give only the resource URL"
    if problem:
        raise ConfigError(f"{value.source} {problem}: {raw!r}. Expected e.g. {example}.", value.source)
    return f"{parts.scheme}://{parts.netloc}{path}"


def _model(v: dict[str, _Value | None]) -> str:
    model = v["model"]
    return str(model.value).strip() if model and str(model.value).strip() else DEFAULT_MODEL


def _device(value: _Value | None) -> str | None:
    """A device index (the file may hold an integer) or name part, as text; checked when the device opens."""
    if value is None or isinstance(value.value, bool) or not str(value.value).strip():
        return None
    return str(value.value).strip()


def _output_latency(value: _Value | None) -> str | float:
    from rt_tui.core.devices import parse_output_latency

    try:
        return parse_output_latency(value.value) if value is not None else "auto"
    except ValueError as exc:
        raise ConfigError(f"{value.source} {exc}.", value.source) from None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
