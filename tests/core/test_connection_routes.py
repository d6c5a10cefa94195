"""From environment variables to a conversation: every provider/route the config can produce, end to end.

The emulator serves each route like the service (`/v1`, `/openai/v1`, `/openai/realtime?api-version=…`), so
this exercises config → SDK client (AsyncOpenAI / AsyncAzureOpenAI, GA / beta connect) → worker → dialect edge.
"""

from __future__ import annotations

import time

import pytest
from connection_helpers import fast_options, running_worker

from rt_tui.config import load_settings
from rt_tui.core.auth import open_client
from rt_tui.emulator.server import Emulator

KEY = "route-key-0123456789abcdef"


def env_for(route: str, http_url: str) -> dict[str, str]:
    azure = {"AZURE_OPENAI_ENDPOINT": http_url, "AZURE_OPENAI_DEPLOYMENT_NAME": "my-realtime",
             "AZURE_OPENAI_API_KEY": KEY}
    return {
        "openai": {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"{http_url}/v1"},
        "azure-v1": azure,
        "azure-classic-ga": {**azure, "OPENAI_API_VERSION": "2025-08-28"},
        "azure-classic-preview": {**azure, "OPENAI_API_VERSION": "2025-04-01-preview"},
    }[route]


@pytest.mark.parametrize(("route", "dialect"), [("openai", "ga"), ("azure-v1", "ga"), ("azure-classic-ga", "ga"),
                                                ("azure-classic-preview", "beta")])
async def test_configured_route_chats_in_the_expected_dialect(route: str, dialect: str, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    async with Emulator(fast_options(api_key=KEY)) as emu:
        target = load_settings(None, env_for(route, emu.url.replace("ws://", "http://"))).target
        assert target.dialect == dialect
        async with running_worker(target) as (worker, rec):
            worker.send_text("what can you do")
            await rec.wait_for(lambda: rec.server("response.done"), what=f"a reply on {route}")
            assert emu.sessions[0].dialect == dialect  # what the server chose from the URL it was given
            assert rec.reply_texts() and rec.reply_texts()[0]
            if route != "openai":
                assert emu.sessions[0].session["model"] == "my-realtime"  # the deployment reached the server


class ShortLivedTokens:
    """Plays Entra's part with tokens that expire soon, so azure-identity must fetch one per connect."""

    def __init__(self) -> None:
        self.calls = 0

    async def get_token(self, *scopes: str, **kwargs: object):
        from azure.core.credentials import AccessToken

        self.calls += 1
        return AccessToken(KEY, int(time.time()) + 30)  # inside azure-identity's refresh window

    async def close(self) -> None:
        pass


async def test_every_connect_carries_a_fresh_entra_token(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    credential = ShortLivedTokens()
    async with Emulator(fast_options(api_key=KEY)) as emu:
        env = env_for("azure-v1", emu.url.replace("ws://", "http://"))
        del env["AZURE_OPENAI_API_KEY"]
        target = load_settings(None, env).target
        assert target.auth == "entra"
        factory = lambda t: open_client(t, credential=credential)  # noqa: E731
        async with running_worker(target, client_factory=factory) as (worker, rec):
            await rec.wait_for(lambda: rec.server("session.updated"))
            worker.reconnect()
            await rec.wait_for(lambda: len(rec.server("session.updated")) == 2, what="second session")
        assert credential.calls == 2
