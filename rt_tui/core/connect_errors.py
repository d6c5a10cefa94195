"""Turning connection failures into one readable sentence with the server's own words and the fix."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from typing import Any

from rt_tui.config import Target

from .auth import AuthError

# Close codes after which a new connection is worth trying (the SDK's own reconnect list).
RECONNECTABLE_CLOSE_CODES = frozenset({1001, 1005, 1006, 1011, 1012, 1013, 1015})

_HTTP_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}


def describe_connect_error(exc: BaseException, target: Target) -> str:
    """A one-line explanation of why connecting to `target` failed."""
    where = target.host or target.endpoint or "the server"
    from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

    if isinstance(exc, AuthError):
        return str(exc)
    if isinstance(exc, InvalidStatus):
        return _describe_http_refusal(exc.response.status_code, exc.response.body, target)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS certificate of {where} not trusted: {exc.verify_message or exc}. If this is the local "
                "emulator with --tls, point SSL_CERT_FILE at the CA file it printed.")
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake with {where} failed: {exc.reason or exc}. Is the endpoint's scheme (https/http) right?"
    if isinstance(exc, socket.gaierror):
        return f"Cannot resolve host {where}: {exc.strerror or exc}. Check the endpoint URL and your network."
    if isinstance(exc, ConnectionRefusedError):
        return f"Connection to {where} refused: nothing is listening there. Is the endpoint (and port) right?"
    if isinstance(exc, (ConnectionResetError, ssl.SSLEOFError)) and target.endpoint.startswith("https://"):
        return (f"Connection to {where} was reset during the TLS handshake. If it is a plain ws:// server "
                "(e.g. the emulator without --tls), use an http:// endpoint.")
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return f"Timed out connecting to {where}."
    if isinstance(exc, InvalidURI):
        return f"Invalid realtime URL for {where}: {exc}"
    if isinstance(exc, InvalidHandshake):
        return f"WebSocket handshake with {where} failed: {exc}"
    if isinstance(exc, OSError):
        return f"Cannot connect to {where}: {exc.strerror or exc or type(exc).__name__}"
    return f"Cannot connect to {where}: {type(exc).__name__}: {exc}"


def describe_close(code: int | None, reason: str, error: dict[str, Any] | None) -> str:
    """Why the server closed the socket: the error event's message if one came just before, else the reason."""
    if error:
        message = error.get("message") or "error"
        code_text = f" ({error['code']})" if error.get("code") else ""
        return f"Server closed the session{code_text}: {message} [close {code}]"
    if reason:
        return f"Server closed the connection: {reason} [close {code}]"
    return f"Connection lost [close {code}]"


def _describe_http_refusal(status: int, body: bytes | None, target: Target) -> str:
    server_message = _server_message(body)
    head = f"HTTP {status} {_HTTP_REASONS.get(status, '')}".rstrip() + f" from {target.host or 'the server'}"
    text = f"{head}: {server_message}" if server_message else head
    if not text.endswith((".", "!", "?")):  # the service's own message usually ends its sentence
        text += "."
    return f"{text} {_hint(status, target)}".rstrip()


def _hint(status: int, target: Target) -> str:
    if status == 401:
        if target.provider == "azure":
            return ("Check AZURE_OPENAI_API_KEY." if target.auth == "api-key"
                    else "Run `az login` again, or set AZURE_OPENAI_API_KEY.")
        if target.provider == "openai":
            return "Check OPENAI_API_KEY."
        return "The emulator was started with --api-key: use the same key."
    if status == 403:
        if target.auth == "entra":
            return "Your Entra identity needs the 'Cognitive Services OpenAI User' role on the resource."
        return "The key is not allowed to use this resource or deployment."
    if status == 404:
        if target.provider == "azure":
            fix = "AZURE_OPENAI_DEPLOYMENT_NAME"
            if target.route == "classic":
                return f"Check the deployment name ({fix}) and the api-version (OPENAI_API_VERSION)."
            return f"Check the deployment name ({fix}) and that the resource serves the v1 API."
        return "Check the model name (--model) and the base URL."
    if status == 429:
        return "Rate limited or out of quota; try again later."
    return ""


def _server_message(body: bytes | None) -> str:
    if not body:
        return ""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text.splitlines()[0][:300] if text else ""
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
        if isinstance(error, str):
            return error[:300]
    return text[:300]
