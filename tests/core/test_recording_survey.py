"""A recording looked over without keeping its events, then streamed into a replay: the same as reading it whole."""

from __future__ import annotations

import asyncio
import base64
import tracemalloc
from pathlib import Path

from rt_tui.core.events import Event
from rt_tui.core.recording import Recorder, read_recording, survey_recording
from rt_tui.replay import ReplaySource, replay_settings

AUDIO = base64.b64encode(bytes(4800)).decode()


def write_session(path: Path, turns: int) -> list[Event]:
    session = {"type": "session.created", "session": {"model": "gpt-realtime-mini", "type": "realtime"}}
    events = [Event("server", "session.created", session, 0.0, "session.created", 90)]
    for turn in range(turns):
        t = 1.0 + turn
        events.append(Event("client", "input_audio_buffer.append", {"type": "input_audio_buffer.append", "audio": AUDIO}, t,
                            "input_audio_buffer.append", 6440))
        delta = {"type": "response.output_audio.delta", "item_id": f"item_{turn}", "delta": AUDIO}
        events.append(Event("server", "response.output_audio.delta", delta, t + 0.5, "response.audio.delta", 6500))
    with Recorder(path, audio=True) as recorder:
        for event in events:
            recorder.write(event)
    with open(path, "a", encoding="utf-8") as out:
        out.write('{"direction": "server", "t": 9\n')  # a torn last line
    return events


def replayed(source: ReplaySource) -> list[Event]:
    emitted: list[Event] = []
    asyncio.run(source.run(emitted.append))
    return emitted


def test_survey_learns_what_replay_needs_and_streams_the_same_events(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    written = write_session(path, 40)
    survey, contents = survey_recording(path), read_recording(path)
    assert (survey.count, survey.model, survey.beta, survey.first_t) == (len(written), "gpt-realtime-mini", True, 0.0)
    assert [str(p) for p in survey.problems] == [str(p) for p in contents.problems] and survey.problems[0].line == len(written) + 1
    settings = replay_settings(survey)
    assert settings == replay_settings(contents) and settings.target.dialect == "beta"
    streamed = replayed(ReplaySource(survey, speed=float("inf")))
    assert streamed == replayed(ReplaySource(contents, speed=float("inf")))
    assert [e.payload.get("audio", e.payload.get("delta")) for e in streamed[1:3]] == [AUDIO, AUDIO]  # restored (as silence)


def test_survey_keeps_no_events(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    write_session(path, 2000)
    tracemalloc.start()
    try:
        survey = survey_recording(path)
        held, _ = tracemalloc.get_traced_memory()
        contents = read_recording(path)
        held_whole, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert survey.count == len(contents.events) == 4001
    assert held < 100_000 < held_whole - held
