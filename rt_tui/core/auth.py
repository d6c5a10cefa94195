"""From a `Target` to an `openai` SDK client and the arguments of its realtime `connect` call.

One function for Azure (GA v1 route and classic route, key or Entra ID), OpenAI and the local emulator,
so the worker has a single code path. Entra tokens come from an async provider that the SDK calls on
every connect, so a reconnect always carries a fresh token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from rt_tui.config import ENTRA_SCOPE, Target

TokenProvider = Callable[[], Awaitable[str]]

AZ_LOGIN_HINT = (
    "Microsoft Entra ID sign-in failed: no usable Azure credential was found. Run `az login` "
    "(or set AZURE_OPENAI_API_KEY to use a key)."
)
LOCAL_API_KEY = "rt-tui-local"  # the embedded emulator accepts any key; the SDK insists on one


# azure-identity logs a failed credential chain as a long multi-line warning; with no handler configured it
# would land on stderr, over the TUI. AuthError carries the one message the user needs.
logging.getLogger("azure.identity").addHandler(logging.NullHandler())


class AuthError(Exception):
    """Credentials could not be obtained (before any network connection to the service)."""


@dataclass
class RealtimeClient:
    """An SDK client plus what `client.realtime.connect` / `client.beta.realtime.connect` needs."""

    client: Any  # openai.AsyncOpenAI or openai.AsyncAzureOpenAI
    model: str
    beta: bool
    extra_query: dict[str, str] = field(default_factory=dict)
    _closers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list, repr=False)

    def connect(self) -> Any:
        """The SDK connection manager (`async with` it, or `await ….enter()`)."""
        realtime = self.client.beta.realtime if self.beta else self.client.realtime
        return realtime.connect(model=self.model, extra_query=self.extra_query)

    async def aclose(self) -> None:
        for close in reversed(self._closers):
            try:
                await close()
            except Exception:  # closing is best effort; nothing useful to report
                pass
        self._closers.clear()


def entra_token_provider(credential: Any | None = None, scope: str = ENTRA_SCOPE) -> tuple[TokenProvider, Any]:
    """An async bearer-token provider (cached and refreshed before expiry by azure-identity).

    Returns `(provider, credential)`; close the credential when done. A failed credential chain raises
    `AuthError` with one message naming `az login`.
    """
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity.aio import DefaultAzureCredential, get_bearer_token_provider

    credential = credential if credential is not None else DefaultAzureCredential()
    inner = get_bearer_token_provider(credential, scope)

    async def provider() -> str:
        try:
            return await inner()
        except ClientAuthenticationError as exc:
            raise AuthError(AZ_LOGIN_HINT) from exc

    return provider, credential


def open_client(target: Target, *, credential: Any | None = None) -> RealtimeClient:
    """Build the SDK client for `target`. `credential` overrides DefaultAzureCredential (tests, doctor)."""
    import openai

    closers: list[Callable[[], Awaitable[Any]]] = []
    token: TokenProvider | None = None
    if target.auth == "entra":
        token, cred = entra_token_provider(credential)
        closers.append(cred.close)
    ws_endpoint = _ws(target.endpoint)
    if target.route == "classic":
        auth: dict[str, Any] = {"azure_ad_token_provider": token} if token else {
            "api_key": target.api_key or LOCAL_API_KEY}
        client = openai.AsyncAzureOpenAI(
            azure_endpoint=target.endpoint,
            api_version=target.api_version,
            websocket_base_url=f"{ws_endpoint}/openai",
            **auth,
        )
    else:
        base = _ga_base_path(target)
        client = openai.AsyncOpenAI(
            api_key=token or target.api_key or LOCAL_API_KEY,
            base_url=f"{target.endpoint}{base}",
            websocket_base_url=f"{ws_endpoint}{base}",
        )
    closers.append(client.close)
    return RealtimeClient(client, target.model, beta=target.dialect == "beta", _closers=closers)


def _ga_base_path(target: Target) -> str:
    if target.provider == "azure":
        return "/openai/v1"
    if target.provider == "local":
        return "/v1"
    return ""  # OpenAI: the endpoint already is the base URL (…/v1)


def _ws(http_url: str) -> str:
    if http_url.startswith("https://"):
        return "wss://" + http_url[len("https://"):]
    if http_url.startswith("http://"):
        return "ws://" + http_url[len("http://"):]
    return http_url
