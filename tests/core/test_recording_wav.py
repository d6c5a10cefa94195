"""WAV tracks of a recording: exact after close, and readable up to about the last second while still open."""

from __future__ import annotations

import base64
import wave
from pathlib import Path

from rt_tui.core.events import Event
from rt_tui.core.recording import SAMPLE_RATE, Recorder, track_paths


def mic_chunk(i: int) -> Event:
    pcm = bytes([i % 256, 0]) * 2400  # 100 ms, a different value per chunk
    payload = {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm).decode()}
    return Event("client", "input_audio_buffer.append", payload, i / 10, "input_audio_buffer.append", 6440)


def frames(path: Path) -> tuple[int, bytes]:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes(), wav.readframes(wav.getnframes())


def test_tracks_are_exact_after_close_and_count_all_but_the_last_second_while_open(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    mic, _ = track_paths(path)
    recorder = Recorder(path, audio=True)
    for i in range(25):  # 2.5 s
        recorder.write(mic_chunk(i))
    while_open, data = frames(mic)  # what a reader (or a crash) would see now
    assert 1.5 * SAMPLE_RATE <= while_open <= 2.5 * SAMPLE_RATE
    assert data[: 4800 * 2] == bytes([0, 0]) * 2400 + bytes([1, 0]) * 2400
    recorder.close()
    count, data = frames(mic)
    assert count == 25 * 2400
    assert data[-4800:] == bytes([24, 0]) * 2400
