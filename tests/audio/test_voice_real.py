"""Speech in, speech out, end to end: virtual mic → AudioEngine → worker → emulator → speaker recording."""

from __future__ import annotations

import asyncio
import base64

import numpy as np
import pytest
from realaudio import (
    RATE,
    align_segments,
    find_offset,
    largest_jump,
    longest_zero_run,
    play_mic,
    say,
)
from voice_session import voice_session

from rt_tui.core.audio import BLOCK_SAMPLES
from rt_tui.core.session import SessionConfig, TurnDetection

pytestmark = [pytest.mark.audio, pytest.mark.usefixtures("virtual_audio")]


def speech_edges_ms(samples: np.ndarray, level_dbfs: float = -40.0) -> tuple[float, float]:
    """First and last moment a 5 ms window of `samples` is louder than `level_dbfs` (the VAD's default level)."""
    x = samples.astype(np.float64) / 32768
    window = RATE * 5 // 1000
    power = np.convolve(x * x, np.ones(window) / window, mode="valid")
    loud = np.flatnonzero(power >= 10 ** (level_dbfs / 10))
    return loud[0] * 1000 / RATE, (loud[-1] + window) * 1000 / RATE


def first_difference(played: np.ndarray, sent: np.ndarray) -> int:
    n = min(len(played), len(sent))
    diff = np.flatnonzero(played[:n] != sent[:n])
    return int(diff[0]) if len(diff) else n


async def test_spoken_question_gets_vad_events_and_the_reply_plays_intact(tmp_path, speaker_tap):
    speech = say("What is the weather like today", tmp_path / "q.wav")
    config = SessionConfig(turn_detection=TurnDetection(silence_duration_ms=500))
    async with voice_session(config) as s:
        assert s.loop.start_listening()
        tap = speaker_tap()
        await asyncio.sleep(0.4)
        await asyncio.to_thread(play_mic, tmp_path / "q.wav")
        started = (await s.wait_for(lambda: s.server("input_audio_buffer.speech_started")))[0].payload
        stopped = (await s.wait_for(lambda: s.server("input_audio_buffer.speech_stopped")))[0].payload
        done = (await s.wait_for(lambda: s.server("response.done"), timeout=30))[0].payload
        item_id = done["response"]["output"][0]["id"]
        await s.wait_for(lambda: s.engine.played_ms(item_id) > 0 and not s.engine.is_playing, timeout=30)
        await asyncio.sleep(0.3)  # the device's own buffer plays out
        out = tap.stop()
        appended = np.frombuffer(
            b"".join(base64.b64decode(e.payload["audio"]) for e in s.client("input_audio_buffer.append")),
            dtype="<i2",
        )

    # The utterance reached the emulator bit for bit, and the VAD edges are where the speech really is.
    offset, correlation = find_offset(appended, speech)
    assert correlation > 0.999, f"overflows reported by PortAudio: {s.engine.overflows}"
    assert np.array_equal(appended[offset : offset + len(speech)], speech)
    onset_ms, end_ms = speech_edges_ms(speech)
    true_start = offset * 1000 / RATE + onset_ms
    assert abs(started["audio_start_ms"] + 300 - true_start) <= 20, (started, true_start)
    assert abs(stopped["audio_end_ms"] - (offset * 1000 / RATE + end_ms)) <= 20, (stopped, end_ms)

    # What the speaker played is what the emulator sent, piece by piece, with no dropout over one block.
    sent = s.audio_sent(item_id)
    assert len(sent) > RATE
    at, correlation = find_offset(out, sent[:RATE])
    pieces = align_segments(out, sent, at)
    diagnosis = f"PortAudio underruns {s.engine.underruns}; pieces {[(a, r, round(c, 3)) for a, r, c in pieces]}"
    assert len(pieces) == len(sent) // (RATE // 2), diagnosis
    assert min(c for _, _, c in pieces) > 0.99, diagnosis
    assert largest_jump(pieces) <= BLOCK_SAMPLES, diagnosis
    assert longest_zero_run(out[at : at + len(sent)]) <= max(BLOCK_SAMPLES, longest_zero_run(sent)), diagnosis
    assert s.engine.played_ms(item_id) == len(sent) * 1000 // RATE


async def test_barge_in_silences_the_reply_and_truncates_at_what_was_played(tmp_path, speaker_tap):
    say("Stop please", tmp_path / "stop.wav")
    async with voice_session() as s:
        assert s.loop.start_listening()
        tap = speaker_tap()
        await asyncio.sleep(0.3)
        s.worker.send_text("What can you do?")
        delta = (await s.wait_for(lambda: s.server("response.output_audio.delta")))[0]
        item_id = delta.payload["item_id"]
        await s.wait_for(lambda: s.engine.played_ms(item_id) > 1200, what="1.2 s of reply played")
        await asyncio.to_thread(play_mic, tmp_path / "stop.wav")
        truncate = (await s.wait_for(lambda: s.client("conversation.item.truncate")))[0].payload
        await s.wait_for(lambda: s.server("conversation.item.truncated"))
        await asyncio.sleep(0.6)  # long enough to hear that the reply stays silent
        out = tap.stop()
        assert not s.server("error")

    assert truncate["item_id"] == item_id and s.loop.last_truncate == (item_id, truncate["audio_end_ms"])
    sent = s.audio_sent(item_id)
    at, correlation = find_offset(out, sent[:RATE])
    assert correlation > 0.99
    # Follow the reply through the recording up to the cut; the cut is where the recording leaves it.
    pieces = [p for p in align_segments(out, sent, at, segment=RATE // 4) if p[2] > 0.99]
    last_at, last_rec, _ = pieces[-1]
    shift = last_rec - last_at
    played = out[shift : shift + len(sent)]
    heard = first_difference(played, sent)
    heard_ms = heard * 1000 / RATE
    diagnosis = f"PortAudio underruns {s.engine.underruns}; jump {largest_jump(pieces)} samples"
    assert abs(truncate["audio_end_ms"] - heard_ms) <= 20, (truncate["audio_end_ms"], heard_ms, diagnosis)
    assert 1200 < heard_ms < len(sent) * 1000 / RATE - 500
    # Silence right after the cut (the reply to "stop please" comes later, after its own turn ends).
    assert len(played) >= heard + RATE // 2, "the recording ended too soon after the cut"
    assert not np.any(played[heard + 3 * BLOCK_SAMPLES : heard + RATE // 2]), "audio kept playing after the barge-in"


async def test_push_to_talk_round_trip_and_too_short_recordings(tmp_path):
    say("Hello there, this is a longer test", tmp_path / "hello.wav")  # ~2.1 s: "Hello there" alone is 0.97 s
    async with voice_session(SessionConfig(turn_detection=TurnDetection(type="none"))) as s:
        assert s.loop.toggle_talk() == "talking"
        await asyncio.to_thread(play_mic, tmp_path / "hello.wav")
        assert s.loop.toggle_talk() == "sent"
        committed = (await s.wait_for(lambda: s.server("input_audio_buffer.committed")))[0]
        delta = (await s.wait_for(lambda: s.server("response.output_audio.delta"), timeout=20))[0]
        item_id = delta.payload["item_id"]
        await s.wait_for(lambda: s.engine.played_ms(item_id) > 300, what="the reply playing")
        assert not s.server("input_audio_buffer.speech_started")
        assert committed.payload["item_id"] and not s.server("error")
        appended_ms = sum(len(e.payload["audio"]) * 3 // 4 for e in s.client("input_audio_buffer.append")) / 48
        assert appended_ms == s.loop.recorded_ms and appended_ms >= 1500  # the whole utterance, appended

        # Talking over the reply while it is still being generated: playback stops, the heard part is
        # kept (truncate) and the rest of the response is cancelled.
        assert not s.server("response.done")
        assert s.loop.toggle_talk() == "talking"
        await s.wait_for(lambda: s.server("conversation.item.truncated"), what="the interrupted reply truncated")
        done = (await s.wait_for(lambda: s.server("response.done")))[0].payload["response"]
        assert done["status"] == "cancelled" and done["status_details"]["reason"] == "client_cancelled"
        assert s.loop.toggle_talk() == "too_short"
        assert s.messages[-1].startswith("Recording too short")
        await asyncio.sleep(0.3)
        assert len(s.client("input_audio_buffer.commit")) == 1
        assert not s.server("error")


async def test_without_interrupt_response_speech_does_not_cut_the_reply(tmp_path):
    say("Stop please", tmp_path / "stop.wav")
    config = SessionConfig(turn_detection=TurnDetection(interrupt_response=False, create_response=False))
    async with voice_session(config) as s:
        assert s.loop.start_listening()
        s.worker.send_text("Hello")
        delta = (await s.wait_for(lambda: s.server("response.output_audio.delta")))[0]
        item_id = delta.payload["item_id"]
        await s.wait_for(lambda: s.engine.played_ms(item_id) > 500, what="the reply playing")
        await asyncio.to_thread(play_mic, tmp_path / "stop.wav")
        await s.wait_for(lambda: s.server("input_audio_buffer.speech_stopped"))
        assert s.engine.is_playing and not s.client("conversation.item.truncate")
        await s.wait_for(lambda: not s.engine.is_playing, timeout=20, what="the reply played to the end")
        assert s.engine.played_ms(item_id) == len(s.audio_sent(item_id)) * 1000 // RATE
