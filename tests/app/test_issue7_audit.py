"""Issue 7 checked as a demanding user would: bad recordings, odd events and keys, through the real app."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rt_tui.core.recording import survey_recording
from rt_tui.replay import run


def good_line(t: float = 0.1) -> str:
    payload = {"type": "error", "error": {"message": "boom", "type": "server_error"}}
    return json.dumps({"direction": "server", "t": t, "type": "error", "payload": payload})


def test_deeply_nested_lines_are_reported_and_skipped_not_a_crash(tmp_path: Path, capsys) -> None:
    path = tmp_path / "deep.jsonl"
    nested_payload = '{"direction":"server","t":0,"type":"x","payload":{"a":' + "[" * 100_000 + "}}"
    path.write_text("\n".join([good_line(), "[" * 200_000, nested_payload, good_line(0.2)]) + "\n")
    survey = survey_recording(path)
    assert survey.count == 2
    assert [(p.line, p.message) for p in survey.problems] == [(2, "not valid JSON (nested too deeply)"),
                                                              (3, "not valid JSON (nested too deeply)")]


def test_cli_refuses_a_directory_and_an_empty_file_with_a_message(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    assert run(argparse.Namespace(file=str(folder), speed=1.0)) == 2
    assert "cannot read" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    assert run(argparse.Namespace(file=str(empty), speed=1.0)) == 1
    assert "holds no readable events" in capsys.readouterr().err
