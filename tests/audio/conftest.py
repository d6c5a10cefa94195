"""Fixtures of the real-audio tests."""

from __future__ import annotations

import pytest
from realaudio import SpeakerTap


@pytest.fixture
def speaker_tap(tmp_path):
    """`speaker_tap()` starts recording the virtual speaker and returns once audio flows; every tap is
    stopped at teardown, also when the test fails midway."""
    taps: list[SpeakerTap] = []

    def start() -> SpeakerTap:
        taps.append(SpeakerTap(tmp_path / f"speaker{len(taps)}.raw"))
        return taps[-1].wait_ready()

    yield start
    for tap in taps:
        tap.close()
