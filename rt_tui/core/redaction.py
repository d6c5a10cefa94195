"""Redaction of keys and tokens: the one function the event log, recordings and exports all use.

Two nets: values under field names that hold credentials are replaced whole, and strings anywhere are
scanned for things shaped like keys (sk-…, ek_…, Bearer …, api-key=…, JWTs, long key-like runs).
Secrets registered at runtime (the configured API key) are replaced wherever they appear, whatever
their shape — Azure keys look like plain hex or alphanumerics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

REDACTED = "‹redacted›"
AUDIO_MARKER_PREFIX = "‹audio "  # elided audio (see eventlog.audio_marker): nothing secret inside

SENSITIVE_FIELDS = frozenset(
    {
        "api_key", "apikey", "x_api_key", "authorization", "proxy_authorization", "client_secret",
        "secret", "token", "access_token", "refresh_token", "id_token", "password", "bearer",
        "ephemeral_key", "ocp_apim_subscription_key", "azure_ad_token",
    }
)

# Shapes that start with a recognisable word; only tried when a cheap substring hint is present.
_PREFIXED_SHAPES = re.compile(
    r"""
      (?P<bearer>\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=\-]{8,}
    | (?P<assign>\b(?:api[-_]?key|access[-_]?token|client[-_]?secret|token|password|secret)
        ["']?\s*[:=]\s*["']?)[^\s"'&,;}]{6,}
    | \bsk-[A-Za-z0-9_\-]{16,}
    | \bek_[A-Za-z0-9_\-]{16,}
    | \beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}
    """,
    re.VERBOSE | re.IGNORECASE,
)
_HINTS = ("sk-", "ek_", "eyj", "bearer", "basic", "key", "token", "secret", "password")
# Bare key-like runs (Azure keys: 32 hex characters, or 84 letters and digits).
_LONG_RUN = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z0-9]{32,}(?![A-Za-z0-9_])")
_HEX = frozenset("0123456789abcdefABCDEF")
STRUCTURAL_FIELDS = frozenset({"type", "object", "status", "role", "id", "event_id", "item_id", "response_id",
                               "previous_item_id", "call_id", "conversation_id"})
MIN_SECRET_LENGTH = 8  # shorter strings cannot hold any shape here, nor a registered secret

_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Redact `value` everywhere from now on (call it with the configured API key or token)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        _registered.add(value)


def _replace_prefixed(match: re.Match[str]) -> str:
    prefix = match.group("bearer") or match.group("assign") or ""
    return prefix + REDACTED


def _replace_run(match: re.Match[str]) -> str:
    run = match.group()
    hex_key = len(run) == 32 and set(run) <= _HEX
    mixed_key = 40 <= len(run) <= 100 and not run.isalpha() and not run.isdigit()
    return REDACTED if hex_key or mixed_key else run


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    if len(text) < MIN_SECRET_LENGTH:
        return text
    for secret in (*_registered, *secrets):
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    lowered = text.lower()
    if any(hint in lowered for hint in _HINTS):
        text = _PREFIXED_SHAPES.sub(_replace_prefixed, text)
    return _LONG_RUN.sub(_replace_run, text)


def _is_sensitive(field: str) -> bool:
    return field.lower().replace("-", "_") in SENSITIVE_FIELDS


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of `value` (JSON-like data or a string) with keys and tokens replaced by ‹redacted›."""
    secrets = tuple(s for s in secrets if s)
    return _redact(value, secrets, sensitive=False)


def _redact(value: Any, secrets: tuple[str, ...], sensitive: bool) -> Any:
    if isinstance(value, str):
        if sensitive and value:
            return REDACTED
        if len(value) < MIN_SECRET_LENGTH or value.startswith(AUDIO_MARKER_PREFIX):
            return value
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {
            k: v if k in STRUCTURAL_FIELDS and isinstance(v, str) and not sensitive
            else _redact(v, secrets, sensitive or _is_sensitive(str(k)))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_redact(v, secrets, sensitive) for v in value]
    return value
