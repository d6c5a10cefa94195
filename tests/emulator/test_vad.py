"""ServerVad: edge accuracy on synthetic signals, turn rules, chunking, semantic and idle timeout."""

from __future__ import annotations

import numpy as np
import pytest

from rt_tui.emulator.vad import SEMANTIC_SILENCE_MS, ServerVad, VadEvent, threshold_to_dbfs

RATE = 24_000
TOLERANCE_MS = 20


def silence(ms: float, noise_dbfs: float | None = None, seed: int = 1) -> np.ndarray:
    n = int(RATE * ms / 1000)
    if noise_dbfs is None:
        return np.zeros(n)
    rms = 10 ** (noise_dbfs / 20)
    return np.random.default_rng(seed).normal(0.0, rms, n)


def tone(ms: float, dbfs: float = -20.0, hz: float = 220.0) -> np.ndarray:
    n = int(RATE * ms / 1000)
    amplitude = np.sqrt(2) * 10 ** (dbfs / 20)
    return amplitude * np.sin(2 * np.pi * hz * np.arange(n) / RATE)


def pcm(*parts: np.ndarray) -> bytes:
    signal = np.concatenate(parts)
    return (np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes()


def feed_in_chunks(vad: ServerVad, data: bytes, chunk: int) -> list[VadEvent]:
    events: list[VadEvent] = []
    for i in range(0, len(data), chunk):
        events += vad.feed(data[i : i + chunk])
    return events


def assert_near(actual: int, expected: float) -> None:
    assert abs(actual - expected) <= TOLERANCE_MS, f"{actual} ms is not within ±{TOLERANCE_MS} ms of {expected} ms"


@pytest.mark.parametrize(
    ("threshold", "padding", "silence_ms", "noise", "lead_ms"),
    [
        (0.5, 300, 200, None, 1000),
        (0.5, 300, 200, -55.0, 1000),
        (0.2, 0, 500, None, 737),
        (0.3, 100, 300, -70.0, 455),
        (0.7, 500, 800, -45.0, 1234),
        (0.5, 300, 200, -60.0, 120),  # padding reaches before the first byte: clamped at 0
    ],
)
def test_edges_of_a_tone_burst_are_within_20_ms(threshold, padding, silence_ms, noise, lead_ms):
    burst_ms = 1300
    vad = ServerVad(threshold=threshold, prefix_padding_ms=padding, silence_duration_ms=silence_ms)
    data = pcm(silence(lead_ms, noise), tone(burst_ms, dbfs=-18), silence(silence_ms + 400, noise, seed=2))
    events = feed_in_chunks(vad, data, chunk=4800)
    assert [e.kind for e in events] == ["speech_started", "speech_stopped"]
    assert_near(events[0].audio_ms, max(0, lead_ms - padding))
    assert_near(events[1].audio_ms, lead_ms + burst_ms)


@pytest.mark.parametrize("chunk", [1, 37, 479, 481, 962, 4801, 10_000])
def test_chunk_sizes_not_aligned_with_frames_give_the_same_events(chunk):
    data = pcm(silence(613), tone(700), silence(900), tone(400), silence(700))
    reference = ServerVad().feed(data)
    assert [e.kind for e in reference] == ["speech_started", "speech_stopped"] * 2
    assert feed_in_chunks(ServerVad(), data, chunk) == reference


def test_pause_shorter_than_silence_duration_does_not_end_the_turn():
    vad = ServerVad(silence_duration_ms=500, prefix_padding_ms=0)
    data = pcm(silence(500), tone(400), silence(450), tone(400), silence(800))
    events = vad.feed(data)
    assert [e.kind for e in events] == ["speech_started", "speech_stopped"]
    assert_near(events[0].audio_ms, 500)
    assert_near(events[1].audio_ms, 1750)


def test_pause_longer_than_silence_duration_ends_the_turn():
    vad = ServerVad(silence_duration_ms=300, prefix_padding_ms=0)
    events = vad.feed(pcm(silence(500), tone(400), silence(450), tone(400), silence(800)))
    assert [e.kind for e in events] == ["speech_started", "speech_stopped"] * 2
    assert_near(events[1].audio_ms, 900)
    assert_near(events[2].audio_ms, 1350)


def test_stop_is_reported_only_after_the_silence_window_has_been_fed():
    vad = ServerVad(silence_duration_ms=600, prefix_padding_ms=0)
    assert [e.kind for e in vad.feed(pcm(silence(200), tone(300)))] == ["speech_started"]
    assert vad.feed(pcm(silence(550))) == []
    assert [e.kind for e in vad.feed(pcm(silence(100)))] == ["speech_stopped"]


def test_threshold_decides_whether_a_quiet_tone_is_speech():
    quiet = pcm(silence(300), tone(500, dbfs=-45), silence(500))
    assert threshold_to_dbfs(0.5) == pytest.approx(-40)
    assert ServerVad(threshold=0.5).feed(quiet) == []
    assert [e.kind for e in ServerVad(threshold=0.3).feed(quiet)] == ["speech_started", "speech_stopped"]


def test_noise_below_threshold_is_not_speech_and_a_click_is_not_a_turn():
    vad = ServerVad()
    assert vad.feed(pcm(silence(2000, noise_dbfs=-50))) == []
    assert vad.feed(pcm(tone(10, dbfs=-6), silence(500))) == []


def test_positions_count_from_the_first_byte_across_reset():
    vad = ServerVad(prefix_padding_ms=0)
    vad.feed(pcm(silence(1000), tone(200)))
    assert vad.in_speech
    vad.reset()
    assert not vad.in_speech
    events = vad.feed(pcm(silence(500), tone(300), silence(400)))
    assert_near(events[0].audio_ms, 1700)
    assert vad.position_ms == 2400


def test_semantic_eagerness_maps_to_a_silence_window():
    assert ServerVad.semantic("high").silence_duration_ms < ServerVad.semantic("low").silence_duration_ms
    assert ServerVad.semantic("auto").silence_duration_ms == SEMANTIC_SILENCE_MS["medium"]
    vad = ServerVad.semantic("low")
    events = vad.feed(pcm(silence(300), tone(300), silence(1000), tone(300), silence(2000)))
    assert [e.kind for e in events] == ["speech_started", "speech_stopped"]


def test_idle_timeout():
    assert not ServerVad().idle_timeout_reached(10**9)
    vad = ServerVad(idle_timeout_ms=6000)
    assert vad.ms_until_idle_timeout(2000) == 4000
    assert not vad.idle_timeout_reached(5999)
    assert vad.idle_timeout_reached(6000)
    vad.feed(pcm(tone(200)))
    assert vad.in_speech and vad.ms_until_idle_timeout(9000) is None
    assert vad.trailing_silence_ms == 0
    vad.feed(pcm(silence(100)))
    assert vad.trailing_silence_ms == 100
