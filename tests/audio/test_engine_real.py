"""AudioEngine against the virtual PulseAudio devices: real streams, real recordings."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from realaudio import RATE, find_offset, longest_zero_run, nonzero_span, play_mic, play_mic_background, say, write_wav

from rt_tui.core.audio import BLOCK_SAMPLES, AudioEngine
from rt_tui.core.devices import AudioUnavailable, describe_devices, list_devices, resolve_device
from rt_tui.emulator.vad import ServerVad

pytestmark = [pytest.mark.audio, pytest.mark.usefixtures("virtual_audio")]


def tone(seconds: float, hz: float = 440.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * 32767 * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
    time.sleep(0.1)  # the device's own buffer (≈ 40 ms) plays out


@pytest.fixture
def engine():
    chunks: list[bytes] = []
    eng = AudioEngine(on_mic_chunk=chunks.append)
    eng.chunks = chunks  # type: ignore[attr-defined]
    yield eng
    eng.stop()


def test_virtual_devices_are_listed_with_24k_support():
    devices = list_devices()
    default_out = [d for d in devices if d.is_default_output]
    assert default_out and default_out[0].output_24k_mono
    assert any(d.is_default_input and d.input_24k_mono for d in devices)
    lines = describe_devices()
    assert len(lines) == len(devices) and "24 kHz mono ok" in lines[0]


def test_devices_resolve_by_index_and_name_with_clear_errors():
    first = list_devices()[0]
    assert resolve_device(first.index, "output").name == first.name
    assert resolve_device(str(first.index), "input").name == first.name
    assert resolve_device(first.name.upper(), "output").index == first.index
    with pytest.raises(AudioUnavailable, match="no audio input device named 'nope-nothing'"):
        resolve_device("nope-nothing", "input")
    with pytest.raises(AudioUnavailable, match="index 99"):
        resolve_device(99, "output")


def test_microphone_delivers_bit_exact_20ms_chunks_that_the_vad_hears(engine, tmp_path):
    speech = say("Hello, this is a test of the microphone.", tmp_path / "hello.wav")
    engine.start()
    play_mic(tmp_path / "hello.wav")
    time.sleep(0.2)
    engine.stop_microphone()
    assert engine.chunks and {len(c) for c in engine.chunks} == {BLOCK_SAMPLES * 2}
    captured = np.frombuffer(b"".join(engine.chunks), dtype="<i2")
    offset, correlation = find_offset(captured, speech)
    assert correlation > 0.999
    assert np.array_equal(captured[offset : offset + len(speech)], speech)
    events = ServerVad(silence_duration_ms=500).feed(b"".join(engine.chunks) + bytes(48_000))
    assert [e.kind for e in events][:1] == ["speech_started"] and events[-1].kind == "speech_stopped"


def test_speaker_plays_jittery_deltas_without_gaps_and_counts_every_sample(engine, speaker_tap):
    signal = tone(1.5)
    engine.start(microphone=False)
    tap = speaker_tap()

    def deliver() -> None:  # uneven delta sizes and arrival times, 3-5x faster than real time like the service
        rng = np.random.default_rng(7)
        pos = 0
        for size in [2400, 3600, 1234, 6000, 4321, 6000, 6000, 2000, 6000]:
            engine.play("item_a", signal[pos : pos + size].tobytes())
            pos += size
            time.sleep(size / RATE / float(rng.uniform(3.0, 5.0)))
        engine.play("item_a", signal[pos:].tobytes())

    threading.Thread(target=deliver).start()
    wait_until(lambda: engine.played_ms("item_a") == 1500 and not engine.is_playing)
    out = tap.stop()
    assert engine.played_ms("item_a") == 1500
    offset, correlation = find_offset(out, signal)
    assert correlation > 0.999
    played = out[offset : offset + len(signal)]
    assert np.array_equal(played, signal)
    assert longest_zero_run(played) <= BLOCK_SAMPLES


def test_flush_silences_output_and_played_ms_matches_the_recording(engine, speaker_tap):
    signal = tone(3.0, hz=300)
    engine.start(microphone=False)
    tap = speaker_tap()
    engine.play("item_b", signal.tobytes())
    time.sleep(1.1)
    assert engine.is_playing
    item_id, played_ms = engine.flush()
    engine.play("item_b", signal.tobytes())  # late deltas of the interrupted item stay silent
    time.sleep(0.5)
    out = tap.stop()
    start, end = nonzero_span(out)
    heard_ms = (end - start) * 1000 / RATE
    assert item_id == "item_b"
    assert abs(played_ms - heard_ms) <= 20, (played_ms, heard_ms)
    assert 1000 < played_ms < 1300
    assert engine.played_ms("item_b") == played_ms


def test_next_item_plays_after_a_flush(engine, speaker_tap):
    engine.start(microphone=False)
    engine.play("old", tone(1.0).tobytes())
    time.sleep(0.2)
    assert engine.flush()[0] == "old"
    assert engine.buffered_ms == 0
    tap = speaker_tap()
    fresh = tone(0.4, hz=500)
    engine.play("new", fresh.tobytes())
    wait_until(lambda: engine.played_ms("new") == 400 and not engine.is_playing)
    out = tap.stop()
    assert find_offset(out, fresh)[1] > 0.999
    assert engine.played_ms("new") == 400


def test_device_refusing_24k_is_resampled_both_ways(tmp_path, speaker_tap):
    chunks: list[bytes] = []
    engine = AudioEngine(on_mic_chunk=chunks.append, device_rate=48_000)
    try:
        engine.start()
        assert engine.input_rate == engine.output_rate == 48_000
        speech = say("Resampling check.", tmp_path / "r.wav")
        play_mic(tmp_path / "r.wav")
        time.sleep(0.2)
        captured = np.frombuffer(b"".join(chunks), dtype="<i2")
        assert {len(c) for c in chunks} == {BLOCK_SAMPLES * 2}
        assert find_offset(captured, speech)[1] > 0.95
        tap = speaker_tap()
        signal = tone(0.8, hz=350)
        engine.play("item_r", signal.tobytes())
        wait_until(lambda: engine.played_ms("item_r") >= 799 and not engine.is_playing)
        out = tap.stop()
        assert find_offset(out, signal)[1] > 0.99
        assert abs(engine.played_ms("item_r") - 800) <= 1
    finally:
        engine.stop()


def test_volume_scales_the_speaker_and_its_level(engine, speaker_tap):
    engine.volume = 0.5
    engine.start(microphone=False)
    tap = speaker_tap()
    engine.play("item_v", tone(0.6, amplitude=0.5).tobytes())
    time.sleep(0.3)
    assert engine.speaker_level.peak == pytest.approx(0.25, abs=0.02)
    assert engine.speaker_level.rms == pytest.approx(0.25 / np.sqrt(2), abs=0.02)
    wait_until(lambda: not engine.is_playing)
    out = tap.stop()
    assert np.abs(out).max() == pytest.approx(0.25 * 32767, rel=0.02)


def test_mute_and_half_duplex_send_silence_with_the_same_timing(engine, tmp_path):
    write_wav(tmp_path / "t.wav", tone(1.0, amplitude=0.5))
    engine.start()
    engine.mic_muted = True
    play_mic(tmp_path / "t.wav")
    assert engine.chunks and not any(any(c) for c in engine.chunks)
    assert engine.mic_level.peak == 0.0
    engine.mic_muted = False
    engine.chunks.clear()
    player = play_mic_background(tmp_path / "t.wav")
    peaks = []
    while player.poll() is None:
        peaks.append(engine.mic_level.peak)
        time.sleep(0.05)
    assert max(peaks) == pytest.approx(0.5, abs=0.02)
    assert np.abs(np.frombuffer(b"".join(engine.chunks), dtype="<i2")).max() > 10_000
    engine.half_duplex = True
    engine.play("item_h", tone(3.0).tobytes())
    time.sleep(0.2)
    engine.chunks.clear()
    play_mic(tmp_path / "t.wav")
    assert engine.is_playing
    assert engine.chunks and not any(any(c) for c in engine.chunks)


def test_a_device_name_that_does_not_exist_is_a_one_line_reason():
    engine = AudioEngine(input_device="no such microphone")
    with pytest.raises(AudioUnavailable) as info:
        engine.start(speaker=False)
    assert "\n" not in info.value.reason and "no such microphone" in info.value.reason
    assert not engine.microphone_open


def test_a_rate_the_device_refuses_is_a_one_line_reason_and_nothing_opens():
    engine = AudioEngine(device_rate=1)
    with pytest.raises(AudioUnavailable) as info:
        engine.start()
    assert info.value.reason == "the output device refuses mono 16-bit audio at 1 Hz"
    assert not engine.speaker_open and not engine.microphone_open


def test_jitter_buffer_waits_for_prebuffer_at_the_start_of_a_burst():
    engine = AudioEngine(prebuffer_ms=200)
    try:
        engine.start(microphone=False)
        queued_at = time.monotonic()
        engine.play("short", tone(0.05).tobytes())  # less than the prebuffer: waits up to 200 ms
        while engine.burst_started_at is None and time.monotonic() - queued_at < 2:
            time.sleep(0.005)
        assert engine.burst_started_at is not None and 0.19 <= engine.burst_started_at - queued_at < 0.3
        time.sleep(0.5)
        engine.burst_started_at = None
        queued_at = time.monotonic()
        engine.play("long", tone(0.3).tobytes())  # enough buffered: starts with the next block
        while engine.burst_started_at is None and time.monotonic() - queued_at < 2:
            time.sleep(0.005)
        assert engine.burst_started_at is not None and engine.burst_started_at - queued_at < 0.1
        time.sleep(0.4)
        assert engine.played_ms("short") == 50 and engine.played_ms("long") == 300
    finally:
        engine.stop()


def hold_the_gil(seconds: float) -> None:
    """Keep every other Python thread (the audio callbacks) waiting: sum() over a range runs in C without
    releasing the GIL, like a long step of the UI would."""
    started = time.perf_counter()
    sum(range(200_000))
    per_item = (time.perf_counter() - started) / 200_000
    sum(range(int(seconds / per_item)))


def test_flush_drops_what_the_device_still_holds_and_counts_only_what_was_heard(speaker_tap):
    engine = AudioEngine(output_latency=0.2)  # a large device buffer makes the dropped part obvious
    try:
        engine.start(microphone=False)
        assert engine.output_latency_s >= 0.15
        tap = speaker_tap()
        engine.play("item_d", tone(3.0, hz=300).tobytes())
        time.sleep(1.0)
        written_ms = engine.played_ms("item_d")
        item_id, heard_by_engine = engine.flush()
        time.sleep(0.6)
        out = tap.stop()
    finally:
        engine.stop()
    start, end = nonzero_span(out)
    heard_ms = (end - start) * 1000 / RATE
    assert item_id == "item_d"
    assert written_ms - heard_by_engine >= 100, (written_ms, heard_by_engine)  # dropped, not played
    assert abs(heard_by_engine - heard_ms) <= 20, (heard_by_engine, heard_ms)


def test_auto_buffering_grows_after_an_underrun_but_only_once_the_speaker_is_silent():
    engine = AudioEngine()
    try:
        engine.start(microphone=False)
        assert engine.output_latency == "auto" and engine.output_latency_s == pytest.approx(0.04, abs=0.005)
        engine.play("first", tone(1.2).tobytes())
        time.sleep(0.3)
        hold_the_gil(0.3)
        time.sleep(0.1)
        assert engine.audible_underruns >= 1
        assert engine.output_latency_s == pytest.approx(0.04, abs=0.005)  # never changed mid-reply
        wait_until(lambda: not engine.is_playing)
        engine.play("second", tone(0.3).tobytes())  # the next reply starts on a larger buffer
        assert engine.latency_raises == 1 and engine.requested_output_latency == 0.06
        assert 0.055 <= engine.output_latency_s <= 0.075  # PortAudio rounds to its periods
        wait_until(lambda: engine.played_ms("second") == 300 and not engine.is_playing)
    finally:
        engine.stop()


def test_a_new_buffering_setting_reopens_an_idle_speaker_at_once():
    engine = AudioEngine(output_latency="auto")
    try:
        engine.start(microphone=False)
        engine.set_output_latency(0.08)
        assert engine.speaker_open and 0.075 <= engine.output_latency_s <= 0.1  # PortAudio rounds to its periods
        engine.play("after", tone(0.2).tobytes())
        wait_until(lambda: engine.played_ms("after") == 200)
    finally:
        engine.stop()
