"""`--tls`: the generated certificate is valid for both names a user types, 127.0.0.1 and localhost, when only
the printed CA is trusted; the CA file is gone after stop."""

from __future__ import annotations

import json
import os
import ssl
from urllib.parse import urlsplit

import pytest
from emulator_helpers import fast_options
from websockets.asyncio.client import connect

from rt_tui.emulator.server import Emulator


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_tls_certificate_is_trusted_for_loopback_names(host: str):
    async with Emulator(fast_options(tls=True)) as emu:
        assert emu.url.startswith("wss://") and emu.ca_file
        trust_only_the_ca = ssl.create_default_context(cafile=emu.ca_file)
        port = urlsplit(emu.url).port
        async with connect(f"wss://{host}:{port}/openai/v1/realtime?model=gpt-realtime", ssl=trust_only_the_ca) as ws:
            assert json.loads(await ws.recv())["type"] == "session.created"
        ca_file = emu.ca_file
    assert not os.path.exists(ca_file)


async def test_tls_certificate_is_refused_without_the_ca():
    async with Emulator(fast_options(tls=True)) as emu:
        port = urlsplit(emu.url).port
        with pytest.raises(ssl.SSLCertVerificationError):
            async with connect(f"wss://localhost:{port}/v1/realtime?model=gpt-realtime",
                               ssl=ssl.create_default_context()):
                pass
