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

SENSITIVE_FIELDS = frozenset(
    {
        "api_key", "apikey", "x_api_key", "authorization", "proxy_authorization", "client_secret",
        "secret", "token", "access_token", "refresh_token", "id_token", "password", "bearer",
        "ephemeral_key", "ocp_apim_subscription_key", "azure_ad_token",
    }
)

_KEY_SHAPES = re.compile(
    r"""
      (?P<bearer>\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=\-]{8,}
    | (?P<assign>\b(?:api[-_]?key|access[-_]?token|client[-_]?secret|token|password|secret)
        ["']?\s*[:=]\s*["']?)[^\s"'&,;}]{6,}
    | \bsk-[A-Za-z0-9_\-]{16,}
    | \bek_[A-Za-z0-9_\-]{16,}
    | \beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}
    | \b[a-f0-9]{32}\b
    | \b(?=[A-Za-z]*[0-9])(?=[0-9]*[A-Za-z])[A-Za-z0-9]{48,100}\b
    """,
    re.VERBOSE | re.IGNORECASE,
)

_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Redact `value` everywhere from now on (call it with the configured API key or token)."""
    if value and len(value) >= 8:
        _registered.add(value)


def _replace_shape(match: re.Match[str]) -> str:
    prefix = match.group("bearer") or match.group("assign") or ""
    return prefix + REDACTED


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in (*_registered, *secrets):
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return _KEY_SHAPES.sub(_replace_shape, text)


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
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {k: _redact(v, secrets, sensitive or _is_sensitive(str(k))) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact(v, secrets, sensitive) for v in value]
    return value
