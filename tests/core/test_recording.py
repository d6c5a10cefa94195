from __future__ import annotations

import base64
import json
import wave
from pathlib import Path

import pytest
from live_session import record_live_session

from rt_tui.core.conversation import Conversation, reduce
from rt_tui.core.events import Event
from rt_tui.core.recording import AudioRestorer, Recorder, read_recording, track_paths

API_KEY = "3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e"  # Azure-style: 32 hex characters
OPENAI_KEY = "sk-proj-Zx81lQmN0pQrStUvWxYz0123456789"


def mk(direction: str, type_: str, t: float, **fields) -> Event:
    payload = {"type": type_, **fields}
    return Event(direction, type_, payload, t, type_, len(json.dumps(payload)))


def pcm(n_bytes: int, value: int) -> bytes:
    return bytes([value & 0xFF, 0]) * (n_bytes // 2)


def session_events() -> list[Event]:
    return [
        mk("server", "session.created", 0.01, session={"type": "realtime", "client_secret": {"value": "ek_abc"}}),
        mk("client", "session.update", 0.02, session={"type": "realtime", "instructions": f"never say {API_KEY}"}),
        mk("client", "input_audio_buffer.append", 0.1, audio=base64.b64encode(pcm(4800, 1)).decode()),
        mk("client", "input_audio_buffer.append", 0.2, audio=base64.b64encode(pcm(4800, 2)).decode()),
        mk("server", "response.output_audio.delta", 0.5, item_id="item_1", delta=base64.b64encode(pcm(12_000, 3)).decode()),
        mk("server", "error", 0.6, error={"message": f"Incorrect API key provided: {OPENAI_KEY}", "type": "invalid_request_error"}),
    ]


def test_roundtrip_preserves_events_without_audio_or_keys(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    with Recorder(path, secrets=[API_KEY]) as rec:
        for event in session_events():
            rec.write(event)
    text = path.read_text()
    assert API_KEY not in text and OPENAI_KEY not in text and "ek_abc" not in text
    assert "‹audio 4,800 B = 100 ms›" in text and "‹audio 12,000 B = 250 ms›" in text
    lines = text.splitlines()
    assert len(lines) == 6 and all(json.loads(line)["direction"] in ("client", "server") for line in lines)

    contents = read_recording(path)
    assert contents.problems == []
    assert [(e.direction, e.type, e.t) for e in contents.events] == [(e.direction, e.type, e.t) for e in session_events()]
    assert contents.audio_bytes == [0, 0, 4800, 4800, 12_000, 0]


def test_wav_tracks_beside_and_audio_restored_from_them(tmp_path: Path) -> None:
    path = tmp_path / "call.jsonl"
    with Recorder(path, audio=True) as rec:
        for event in session_events():
            rec.write(event)
    mic, assistant = track_paths(path)
    assert (mic.name, assistant.name) == ("call.mic.wav", "call.assistant.wav")
    with wave.open(str(mic)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()) == (24_000, 1, 2, 4800)
    with wave.open(str(assistant)) as w:
        assert w.getnframes() == 6000

    contents = read_recording(path)
    restorer = AudioRestorer(path)
    restored = [restorer.restore(e, n) for e, n in zip(contents.events, contents.audio_bytes)]
    restorer.close()
    assert base64.b64decode(restored[2].payload["audio"]) == pcm(4800, 1)
    assert base64.b64decode(restored[3].payload["audio"]) == pcm(4800, 2)
    assert base64.b64decode(restored[4].payload["delta"]) == pcm(12_000, 3)


def test_audio_restored_as_silence_without_wavs(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    with Recorder(path) as rec:
        rec.write(session_events()[4])
    event, n = read_recording(path).events[0], read_recording(path).audio_bytes[0]
    restored = AudioRestorer(path).restore(event, n)
    assert base64.b64decode(restored.payload["delta"]) == bytes(12_000)


def test_malformed_lines_reported_by_number_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = {"direction": "server", "t": 0.5, "type": "response.done", "payload": {"type": "response.done"}}
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps({**good, "direction": "sideways"}),
                "",
                json.dumps([1, 2]),
                json.dumps({**good, "t": "soon"}),
                json.dumps({"direction": "client", "t": 1, "payload": {}}),
                json.dumps({**good, "t": 2.0}),
            ]
        )
        + "\n\x00\xff garbage"
    )
    contents = read_recording(path)
    assert [e.t for e in contents.events] == [0.5, 2.0]
    assert [p.line for p in contents.problems] == [2, 3, 5, 6, 7, 9]
    assert "not valid JSON" in str(contents.problems[0]) and str(contents.problems[0]).startswith("line 2:")
    assert "sideways" in contents.problems[1].message


def test_closed_recorder_ignores_writes(tmp_path: Path) -> None:
    rec = Recorder(tmp_path / "r.jsonl")
    rec.close()
    rec.write(session_events()[0])
    assert rec.closed and (tmp_path / "r.jsonl").read_text() == ""


def reduce_all(events) -> Conversation:
    state = Conversation.empty()
    for event in events:
        state = reduce(state, event)
    return state


@pytest.mark.parametrize("with_wav", [True, False])
async def test_live_session_replays_to_equal_reducer_state(tmp_path: Path, with_wav: bool) -> None:
    live = await record_live_session()
    assert {"response.output_audio.delta", "input_audio_buffer.append", "error"} <= {e.type for e in live}
    path = tmp_path / "live.jsonl"
    with Recorder(path, audio=with_wav) as rec:
        for event in live:
            rec.write(event)

    contents = read_recording(path)
    assert contents.problems == [] and len(contents.events) == len(live)
    restorer = AudioRestorer(path)
    replayed = [restorer.restore(e, n) for e, n in zip(contents.events, contents.audio_bytes)]
    restorer.close()

    expected = reduce_all(live)
    assert reduce_all(replayed) == expected
    assert any(t.role == "assistant" and t.has_audio and t.audio_ms > 0 for t in expected.turns)
    assert any(t.kind == "error" for t in expected.turns)
    if with_wav:
        live_audio = b"".join(base64.b64decode(e.payload["delta"]) for e in live if e.type == "response.output_audio.delta")
        replay_audio = b"".join(base64.b64decode(e.payload["delta"]) for e in replayed if e.type == "response.output_audio.delta")
        assert replay_audio == live_audio


async def test_configured_api_key_never_in_recording(tmp_path: Path) -> None:
    key = "Zq-local-test-key-7f"  # matches none of the key shapes: only the configured secret catches it
    live = await record_live_session(api_key=key, user_text=f"please repeat my key {key}")
    assert any(key in json.dumps(e.payload) for e in live)  # the session really carried it
    path = tmp_path / "k.jsonl"
    with Recorder(path, audio=True, secrets=[key]) as rec:
        for event in live:
            rec.write(event)
    assert key not in path.read_text()
    assert all(key.encode() not in p.read_bytes() for p in tmp_path.iterdir())
