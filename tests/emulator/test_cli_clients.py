"""`rt-tui emulator` in its own process, driven the way developers drive it in CI: the push-to-talk
example's event flow (our own client script) and a `--script FILE` of reply rules and timing knobs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLIENTS = Path(__file__).parent / "clients"
SCRIPT = '''
[timing]
first_delta_ms = 800

[[rules]]
pattern = "order (?P<dish>\\\\w+)"
reply = "One {dish}, coming up."
'''


@pytest.fixture(scope="module")
def emulator_url(tmp_path_factory):
    rules = tmp_path_factory.mktemp("emulator-script") / "rules.toml"
    rules.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, "-m", "rt_tui.cli", "emulator", "--script", str(rules),
                             "--realtime-factor", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        match = re.search(r"ws://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert match, proc.stderr.read()
        yield match.group(0)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_push_to_talk_flow_against_the_cli_emulator(emulator_url):
    result = subprocess.run([sys.executable, str(CLIENTS / "push_to_talk.py")], capture_output=True, text=True,
                            env={**os.environ, "EMULATOR_URL": emulator_url}, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    vad = [line.removeprefix("vad: ") for line in lines if line.startswith("vad: ")]
    manual = [line.removeprefix("manual: ") for line in lines if line.startswith("manual: ")]
    # server VAD: the early cancel gets the benign error, the tone burst is a turn, the reply is spoken
    assert vad[0].startswith("session.updated ServerVad(type='server_vad'"), vad[0]
    assert vad[1] == "error response_cancel_not_active"
    started, stopped = (int(vad[i].split()[-1]) for i in (2, 3))
    assert vad[2].startswith("speech_started") and abs(started - (300 - 300)) <= 20
    assert vad[3].startswith("speech_stopped") and abs(stopped - 1000) <= 20
    assert vad[4] == "committed"
    assert re.fullmatch(r"reply \d{5,} bytes in \d+ deltas: I heard 1\.0 seconds of audio\..*", vad[5]), vad[5]
    assert vad[6] == "response.done completed"
    # turn detection off: no VAD events; commit + response.create answer the whole buffer
    assert manual[:3] == ["session.updated None", "error response_cancel_not_active", "committed"]
    assert re.fullmatch(r"reply \d{5,} bytes in \d+ deltas: I heard 1\.7 seconds of audio\..*", manual[3]), manual[3]
    assert manual[4] == "response.done completed"


async def test_script_file_rules_and_timing_through_the_cli(emulator_url):
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="x", websocket_base_url=emulator_url + "/v1")
    async with client.realtime.connect(model="gpt-realtime") as conn:
        await conn.session.update(session={"type": "realtime", "output_modalities": ["text"]})
        await conn.conversation.item.create(item={"type": "message", "role": "user",
                                                  "content": [{"type": "input_text", "text": "I'll order waffles"}]})
        await conn.response.create()
        created_at = first_delta_s = None
        async for event in conn:
            if event.type == "response.created":
                created_at = time.monotonic()
            elif event.type == "response.output_text.delta" and first_delta_s is None:
                first_delta_s = time.monotonic() - created_at
            elif event.type == "response.output_text.done":
                text = event.text
                break
    assert text == "One waffles, coming up."
    assert first_delta_s >= 0.7  # the script's first_delta_ms (800), not the default 250
