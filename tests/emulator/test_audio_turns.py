"""Audio input: the push_to_talk_app flow, manual commits, VAD timing, transcription, barge-in, truncate."""

from __future__ import annotations

import asyncio
import base64
import time

import pytest
from audio_signals import chunks_b64, noise, silence, tone
from emulator_helpers import connect, fast_options, recv, types, until, until_all

from rt_tui.emulator.responder import Rule
from rt_tui.emulator.script import Script
from rt_tui.emulator.server import Emulator
from rt_tui.emulator.validate import assert_valid
from rt_tui.emulator.voice import espeak_available, synthesize

BETA = "2025-04-01-preview"


async def _append(conn, pcm: bytes) -> None:
    for chunk in chunks_b64(pcm):
        await conn.input_audio_buffer.append(audio=chunk)


def _one(events, kind):
    found = [e for e in events if e["type"] == kind]
    assert len(found) == 1, (kind, types(events))
    return found[0]


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_push_to_talk_flow_with_server_vad(emulator, dialect):
    """openai-python examples/realtime/push_to_talk_app.py's event flow, with our own client code."""
    route = "v1" if dialect == "ga" else "classic"
    async with connect(emulator, route, api_version=BETA) as conn:
        await recv(conn)
        if dialect == "ga":
            session = {"type": "realtime", "model": "gpt-realtime",
                       "audio": {"input": {"turn_detection": {"type": "server_vad"},
                                           "transcription": {"model": "gpt-4o-transcribe"}}}}
        else:
            session = {"turn_detection": {"type": "server_vad"}, "input_audio_transcription": {"model": "whisper-1"}}
        await conn.session.update(session=session)
        await until(conn, "session.updated")
        await conn.send({"type": "response.cancel"})  # the app cancels before its first append
        benign = (await until(conn, "error"))[-1]["error"]
        await _append(conn, silence(500) + tone(800) + silence(600))
        prefix = "response.output_audio" if dialect == "ga" else "response.audio"
        events = await until_all(conn, "rate_limits.updated", "conversation.item.input_audio_transcription.completed")
    assert benign["code"] == "response_cancel_not_active"
    names = types(events)
    started = _one(events, "input_audio_buffer.speech_started")
    stopped = _one(events, "input_audio_buffer.speech_stopped")
    committed = _one(events, "input_audio_buffer.committed")
    assert abs(started["audio_start_ms"] - (500 - 300)) <= 20  # includes the 300 ms prefix padding
    assert abs(stopped["audio_end_ms"] - 1300) <= 20
    assert started["item_id"] == stopped["item_id"] == committed["item_id"]
    assert names.index("input_audio_buffer.speech_stopped") < names.index("input_audio_buffer.committed") \
        < names.index("response.created")
    assert f"{prefix}.delta" in names
    completed = _one(events, "conversation.item.input_audio_transcription.completed")
    assert completed["item_id"] == committed["item_id"]
    assert "the emulator does not transcribe" in completed["transcript"]
    assert "conversation.item.input_audio_transcription.delta" in names
    done = _one(events, "response.done")["response"]
    spoken = done["output"][0]["content"][0]["transcript"]
    assert spoken.startswith("I heard 1.1 seconds of audio")  # the speech with its 300 ms padding
    assert done["usage"]["input_token_details"]["audio_tokens"] > 0
    assert_valid(emulator.sent, dialect)


async def test_manual_flow_with_turn_detection_off(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.session.update(session={"type": "realtime", "audio": {"input": {"turn_detection": None}}})
        await until(conn, "session.updated")
        await conn.input_audio_buffer.commit()
        empty = (await until(conn, "error"))[-1]["error"]
        await _append(conn, tone(60))
        await conn.input_audio_buffer.commit()
        short = (await until(conn, "error"))[-1]["error"]
        await conn.input_audio_buffer.clear()
        await until(conn, "input_audio_buffer.cleared")
        await _append(conn, tone(500) + silence(500))
        await conn.input_audio_buffer.commit()
        committed = await until(conn, "conversation.item.done")
        await conn.response.create()
        reply = await until(conn, "rate_limits.updated")
    assert empty["code"] == "input_audio_buffer_commit_empty"
    assert empty["message"] == ("Error committing input audio buffer: buffer too small. Expected at least 100ms "
                                "of audio, but buffer only has 0.00ms of audio.")
    assert short["message"].endswith("but buffer only has 60.00ms of audio.")
    assert "input_audio_buffer.speech_started" not in types(committed)
    assert types(committed) == ["input_audio_buffer.committed", "conversation.item.added", "conversation.item.done"]
    assert committed[-1]["item"]["content"] == [{"type": "input_audio", "transcript": None}]
    assert "response.output_audio.delta" in types(reply)
    assert_valid(emulator.sent, "ga")


async def test_append_errors(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "input_audio_buffer.append", "audio": "not base64!!"})
        bad = (await until(conn, "error"))[-1]["error"]
        await conn.send({"type": "input_audio_buffer.append", "audio": base64.b64encode(b"abc").decode()})
        odd = (await until(conn, "error"))[-1]["error"]
    assert bad["param"] == "audio" and bad["code"] == "invalid_value"
    assert odd["param"] == "audio" and "even number of bytes" in odd["message"]


@pytest.mark.parametrize("threshold, padding, silence_ms", [(0.5, 300, 200), (0.3, 100, 500), (0.7, 0, 800)])
async def test_vad_edges_within_20ms(emulator, threshold, padding, silence_ms):
    async with connect(emulator) as conn:
        await recv(conn)
        turn = {"type": "server_vad", "threshold": threshold, "prefix_padding_ms": padding,
                "silence_duration_ms": silence_ms, "create_response": False}
        await conn.session.update(session={"type": "realtime", "audio": {"input": {"turn_detection": turn}}})
        await until(conn, "session.updated")
        # noise floor, a burst, a pause shorter than the silence window, a second burst, then silence
        short_pause = silence_ms // 2
        pcm = noise(700) + tone(400, 0.5) + noise(short_pause) + tone(300, 0.5) + noise(silence_ms + 300)
        await _append(conn, pcm)
        events = await until(conn, "conversation.item.done")
    started = _one(events, "input_audio_buffer.speech_started")
    stopped = _one(events, "input_audio_buffer.speech_stopped")
    assert abs(started["audio_start_ms"] - max(0, 700 - padding)) <= 20
    assert abs(stopped["audio_end_ms"] - (700 + 400 + short_pause + 300)) <= 20
    assert "response.created" not in types(events)


async def test_semantic_vad_eagerness_sets_the_silence_window(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        turn = {"type": "semantic_vad", "eagerness": "high", "create_response": False}
        await conn.session.update(session={"type": "realtime", "audio": {"input": {"turn_detection": turn}}})
        await until(conn, "session.updated")
        await _append(conn, silence(300) + tone(400) + silence(300) + tone(300) + silence(600))
        events = await until(conn, "conversation.item.done")
    assert _one(events, "input_audio_buffer.speech_stopped")["audio_end_ms"] == pytest.approx(1300, abs=20)


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_barge_in_cancels_with_turn_detected_and_truncate_trims(dialect):
    prefix = "response.output_audio" if dialect == "ga" else "response.audio"
    async with Emulator(fast_options(realtime_factor=1.0)) as emu:
        async with connect(emu, "v1" if dialect == "ga" else "classic", api_version=BETA) as conn:
            await recv(conn)
            await _append(conn, tone(500) + silence(400))
            first = await until(conn, f"{prefix}.delta")
            item_id = first[-1]["item_id"]
            await _append(conn, tone(400))  # the user talks over the reply
            events = await until(conn, "rate_limits.updated")
            await conn.send({"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0,
                             "audio_end_ms": 100})
            truncated = (await until(conn, "conversation.item.truncated", "error"))[-1]
            await conn.send({"type": "conversation.item.retrieve", "item_id": item_id})
            retrieved = (await until(conn, "conversation.item.retrieved"))[-1]["item"]
            errors = []
            for event in ({"item_id": item_id, "content_index": 0, "audio_end_ms": 5000},
                          {"item_id": item_id, "content_index": 0, "audio_end_ms": -11},
                          {"item_id": item_id, "content_index": 1, "audio_end_ms": 0},
                          {"item_id": "item_nope", "content_index": 0, "audio_end_ms": 0}):
                await conn.send({"type": "conversation.item.truncate", **event})
                errors.append((await until(conn, "error"))[-1]["error"])
    closing = [n for n in types(events) if not n.endswith(".delta")]
    assert closing[0] == "input_audio_buffer.speech_started"
    expected = [f"{prefix}.done", f"{prefix}_transcript.done", "response.content_part.done",
                "conversation.item.done", "response.output_item.done", "response.done", "rate_limits.updated"]
    if dialect == "beta":
        expected.remove("conversation.item.done")
    assert closing[1:1 + len(expected)] == expected
    done = _one(events, "response.done")["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"] == {"type": "cancelled", "reason": "turn_detected"}
    assert done["output"][0]["status"] == "incomplete"
    assert truncated == {**truncated, "type": "conversation.item.truncated", "item_id": item_id, "audio_end_ms": 100}
    audio = base64.b64decode(retrieved["content"][0]["audio"])
    assert len(audio) == 100 * 48
    streamed = done["output"][0]["content"][0]["transcript"].split()
    heard = retrieved["content"][0]["transcript"].split()
    assert heard == streamed[:len(heard)] and len(heard) < len(streamed)  # the unheard words are dropped
    beyond, negative, index, unknown = errors
    assert beyond["message"] == "Audio content of 100ms is already shorter than 5000ms"
    assert (negative["code"], negative["param"]) == ("integer_below_min_value", "audio_end_ms")
    assert negative["message"] == ("Invalid 'audio_end_ms': integer below minimum value. Expected a value >= 0, "
                                   "but got -11 instead.")
    assert index["param"] == "content_index"
    assert unknown["code"] == "item_truncate_invalid_item_id"
    assert_valid(emu.sent, dialect)


async def test_truncating_a_user_item_is_refused(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.send({"type": "conversation.item.create", "item": {
            "id": "item_user", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]}})
        await until(conn, "conversation.item.done")
        await conn.send({"type": "conversation.item.truncate", "item_id": "item_user", "content_index": 0,
                         "audio_end_ms": 0})
        error = (await until(conn, "error"))[-1]["error"]
    assert (error["code"], error["message"]) == ("unsupported_content_type",
                                                 "Only model output audio messages can be truncated")


async def test_no_interrupt_when_interrupt_response_is_off():
    async with Emulator(fast_options(realtime_factor=1.0)) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            turn = {"type": "server_vad", "interrupt_response": False}
            await conn.session.update(session={"type": "realtime", "audio": {"input": {"turn_detection": turn}}})
            await until(conn, "session.updated")
            await _append(conn, tone(300) + silence(300))
            await until(conn, "response.output_audio.delta")
            await _append(conn, tone(300))
            await until(conn, "input_audio_buffer.speech_started")
            await conn.send({"type": "response.cancel"})
            done = (await until(conn, "response.done"))[-1]["response"]
    assert done["status_details"]["reason"] == "client_cancelled"


async def test_idle_timeout_runs_from_the_end_of_the_replys_playback_then_commits_and_responds():
    """The service starts the idle timeout at `response.done` plus the reply's audio duration, so a user
    still listening to a reply (delivered faster than real time) is not prompted mid-playback; then it
    commits the silence written since playback ended and responds."""
    script = Script(rules=(Rule("ping", reply="Pong, pong, pong."),))
    async with Emulator(fast_options(script=script)) as emu:
        async with connect(emu) as conn:
            await recv(conn)
            turn = {"type": "server_vad", "idle_timeout_ms": 5000}
            await conn.session.update(session={"type": "realtime", "audio": {"input": {"turn_detection": turn}}})
            await until(conn, "session.updated")
            await conn.conversation.item.create(item={"type": "message", "role": "user",
                                                      "content": [{"type": "input_text", "text": "ping"}]})
            await conn.response.create()
            reply = await until(conn, "response.done")
            done_at = time.monotonic()
            playback_s = sum(len(base64.b64decode(e["delta"])) for e in reply
                             if e["type"] == "response.output_audio.delta") / 48_000
            await _append(conn, silence(300))  # while the reply still plays
            await asyncio.sleep(playback_s + 0.3)
            await _append(conn, silence(500))  # after it has finished playing
            events = await until(conn, "input_audio_buffer.timeout_triggered", timeout=20)
            waited = time.monotonic() - done_at
            events += await until(conn, "response.done")
    assert playback_s > 1.0
    assert playback_s + 5.0 - 0.1 <= waited <= playback_s + 5.0 + 1.5
    timeout = _one(events, "input_audio_buffer.timeout_triggered")
    assert (timeout["audio_start_ms"], timeout["audio_end_ms"]) == (300, 800)
    after = types(events)[types(events).index("input_audio_buffer.timeout_triggered"):]
    assert after[:5] == ["input_audio_buffer.timeout_triggered", "input_audio_buffer.committed",
                         "conversation.item.added", "conversation.item.done", "response.created"]
    assert _one(events, "input_audio_buffer.committed")["item_id"] == timeout["item_id"]
    assert_valid(emu.sent, "ga")


async def test_transcription_of_too_little_audio_fails_like_the_service(emulator):
    async with connect(emulator) as conn:
        await recv(conn)
        turn = {"type": "server_vad", "prefix_padding_ms": 0, "create_response": False}
        await conn.session.update(session={"type": "realtime", "audio": {"input": {
            "turn_detection": turn, "transcription": {"model": "gpt-4o-mini-transcribe"}}}})
        await until(conn, "session.updated")
        await _append(conn, silence(300) + tone(60) + silence(400))  # a 60 ms blip: too short to transcribe
        events = await until(conn, "conversation.item.input_audio_transcription.failed", "error")
    committed = _one(events, "input_audio_buffer.committed")
    failed = events[-1]
    assert failed["type"] == "conversation.item.input_audio_transcription.failed"
    assert failed["item_id"] == committed["item_id"] and failed["content_index"] == 0
    assert failed["error"]["message"] == f"Input transcription failed for item '{committed['item_id']}'."
    assert "conversation.item.input_audio_transcription.delta" not in types(events)


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
async def test_spoken_utterance_through_the_sdk_gets_vad_transcription_and_audio_reply(emulator):
    speech = synthesize("Hello there, could you tell me what you can do?", "ash", use_espeak=True)
    speech_ms = len(speech) // 48
    async with connect(emulator) as conn:
        await recv(conn)
        await conn.session.update(session={"type": "realtime", "audio": {"input": {
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
            "transcription": {"model": "whisper-1"}}}})
        await until(conn, "session.updated")
        await _append(conn, silence(600) + speech + silence(800))
        events = await until_all(conn, "response.done", "conversation.item.input_audio_transcription.completed")
    started = _one(events, "input_audio_buffer.speech_started")
    stopped = _one(events, "input_audio_buffer.speech_stopped")
    assert 600 - 300 - 20 <= started["audio_start_ms"] <= 600 - 300 + 200  # espeak starts with a little silence
    assert 600 + speech_ms - 300 <= stopped["audio_end_ms"] <= 600 + speech_ms + 20
    completed = _one(events, "conversation.item.input_audio_transcription.completed")
    assert completed["usage"]["type"] == "duration"
    done = _one(events, "response.done")["response"]
    assert done["status"] == "completed" and done["usage"]["output_token_details"]["audio_tokens"] > 0
    assert "response.output_audio.delta" in types(events)


@pytest.mark.parametrize("dialect, wire, ga_type", [("beta", "g711_ulaw", "audio/pcmu"), ("ga", None, "audio/pcma")])
async def test_g711_sessions_take_and_give_8khz_audio(emulator, dialect, wire, ga_type):
    import audioop_shim

    route = "v1" if dialect == "ga" else "classic"
    async with connect(emulator, route, api_version=BETA) as conn:
        await recv(conn)
        if dialect == "beta":
            session = {"input_audio_format": wire, "output_audio_format": wire}
        else:
            fmt = {"type": ga_type}
            session = {"type": "realtime", "audio": {"input": {"format": fmt}, "output": {"format": fmt}}}
        await conn.session.update(session=session)
        await until(conn, "session.updated")
        encoded = audioop_shim.encode(silence(400) + tone(600) + silence(500), ga_type)
        for start in range(0, len(encoded), 160):  # 20 ms of 8 kHz G.711
            await conn.input_audio_buffer.append(audio=base64.b64encode(encoded[start:start + 160]).decode())
        events = await until(conn, "response.done")
    started = _one(events, "input_audio_buffer.speech_started")
    assert abs(started["audio_start_ms"] - 100) <= 20
    prefix = "response.output_audio" if dialect == "ga" else "response.audio"
    sizes = [len(base64.b64decode(e["delta"])) for e in events if e["type"] == f"{prefix}.delta"]
    assert sizes[:3] == [800, 1200, 2000]  # 100, 150, 250 ms at 8 kHz, one byte a sample


async def test_idle_microphone_audio_is_bounded_with_vad_on(emulator):
    from rt_tui.emulator.audio_input import MAX_IDLE_BUFFER_BYTES

    async with connect(emulator) as conn:
        await recv(conn)
        silent = base64.b64encode(silence(1000)).decode()
        for _ in range(65):
            await conn.input_audio_buffer.append(audio=silent)
        await conn.send({"type": "input_audio_buffer.commit"})  # a round trip: every append has been handled
        await until(conn, "conversation.item.done")
    [committed] = [item for item in emulator.sessions[0].conversation.items if item["role"] == "user"]
    assert len(emulator.sessions[0].conversation.audio[committed["id"]]) == MAX_IDLE_BUFFER_BYTES  # 60 s, not 65
