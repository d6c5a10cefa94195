"""Command palette: "Profile: switch to NAME" and "Profile: save current settings to NAME".

Add `ProfileCommands` to the app's `COMMANDS`. It expects the app to have `settings` (`rt_tui.config.Settings`)
and `desired` or `config` (the current `SessionConfig`); switching needs `app.switch_profile(name)`, and the
switch entries are offered only when the app has it. Typing a new name offers to save a new profile.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any, Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from rt_tui.preferences import default_config_path
from rt_tui.profiles import (
    TARGET_KEYS,
    Profile,
    ProfileError,
    read_document,
    read_profiles,
    save_profile,
    session_values,
)

STANDARD_KEY_VARIABLES = {"azure": "AZURE_OPENAI_API_KEY", "openai": "OPENAI_API_KEY"}
DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
_NEW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def target_values(settings: Any, key_env: str | None) -> dict[str, Any]:
    """Every connection key of a profile for the current target (None removes a key the file had)."""
    target = settings.target
    values: dict[str, Any] = {key: None for key in TARGET_KEYS}
    if target.provider == "local":
        return {**values, "local": True, "model": target.model}
    values.update(provider=target.provider, api_version=target.api_version, api_key_env=key_env)
    if target.provider == "azure":
        values.update(endpoint=target.endpoint, deployment=target.model)
    else:
        base_url = None if target.endpoint.rstrip("/") == DEFAULT_OPENAI_BASE_URL else target.endpoint
        values.update(model=target.model, openai_base_url=base_url)
    return values


def key_variable(settings: Any, *profiles: Profile | None) -> str | None:
    """Which variable a saved profile should name for the key: the one already in use, else the standard one."""
    if settings.target.auth not in ("api-key", "bearer"):
        return None
    for profile in profiles:
        if profile is not None and profile.api_key_env:
            return profile.api_key_env
    return STANDARD_KEY_VARIABLES.get(settings.target.provider)


class ProfileCommands(Provider):
    def _path(self) -> Path:
        return self.app.settings.config_path or default_config_path()  # type: ignore[attr-defined]

    def _commands(self, query: str = "") -> list[tuple[str, Callable[[], None], str]]:
        try:
            profiles = read_profiles(self._path())
        except ProfileError as error:
            return [(f"Profile: cannot read profiles ({error.field})", partial(self._tell, str(error)), str(error))]
        active = getattr(self.app.settings, "profile", None)  # type: ignore[attr-defined]
        commands = []
        switch = getattr(self.app, "switch_profile", None)
        for name, profile in profiles.items():
            if switch is not None and name != active:
                commands.append((f"Profile: switch to {name}", partial(switch, name), profile.describe()))
            commands.append((f"Profile: save current settings to {name}", partial(self._save, name),
                             f"Overwrite {name}'s target and session settings in {self._path()}"))
        new_name = query.strip()
        if new_name and new_name not in profiles and _NEW_NAME.match(new_name):
            commands.append((f"Profile: save current settings as new profile {new_name}",
                             partial(self._save, new_name), f"Add [profiles.{new_name}] to {self._path()}"))
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands(query):
            score = matcher.match(title) or (0.5 if query.strip() and query.strip() in title else 0)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)

    def _save(self, name: str) -> None:
        app: Any = self.app
        path = self._path()
        try:
            profiles = read_profiles(path)
            key_env = key_variable(app.settings, profiles.get(name), profiles.get(app.settings.profile or ""))
            current = getattr(app, "desired", None) or app.config
            library = getattr(app, "tool_library", None)
            tools = {"tools": library.to_tables()} if library is not None else {}
            inherited = read_document(path).unwrap().get("session")
            session = session_values(current, inherited if isinstance(inherited, dict) else None)
            save_profile(path, name, {**target_values(app.settings, key_env), "session": session, **tools})
        except (ProfileError, OSError) as error:
            app.notify(f"Profile not saved: {error}", severity="error", markup=False)
            return
        app.notify(f"Saved current settings to profile {name} in {path}", markup=False)

    def _tell(self, message: str) -> None:
        self.app.notify(message, severity="error", markup=False)
