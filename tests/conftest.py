"""Shared fixtures. Keep additions small and targeted (several developers edit this file)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from audio_tool import TOOL as VIRTUAL_AUDIO
from audio_tool import parse_exports


@pytest.fixture(scope="session")
def virtual_audio(tmp_path_factory: pytest.TempPathFactory):
    """A private virtual PulseAudio (tools/virtual-audio) for this test session; yields its env vars.

    The variables are set in os.environ before PortAudio initialises (or PortAudio is re-initialised),
    so sounddevice in this process and any subprocess sees the virtual `vmic`/`vspeaker` devices.
    """
    if shutil.which("pulseaudio") is None:
        pytest.skip("virtual audio: pulseaudio is not installed (apt-get install pulseaudio pulseaudio-utils)")
    state_dir = tmp_path_factory.mktemp("audio")
    started = subprocess.run(
        [str(VIRTUAL_AUDIO), "start", str(state_dir)], capture_output=True, text=True, timeout=120
    )
    if started.returncode != 0:
        last = (started.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"virtual audio could not start: {last}")
    env = parse_exports(started.stdout)
    patch = pytest.MonkeyPatch()
    for name, value in env.items():
        patch.setenv(name, value)
    patch.delenv("PULSE_SINK", raising=False)
    patch.setenv("PULSE_SOURCE", "vmic.monitor")
    if "sounddevice" in sys.modules:
        sd = sys.modules["sounddevice"]
        sd._terminate()
        sd._initialize()
    try:
        yield env
    finally:
        patch.undo()
        if "sounddevice" in sys.modules:
            sd = sys.modules["sounddevice"]
            sd._terminate()
            sd._initialize()
        subprocess.run([str(VIRTUAL_AUDIO), "stop", str(state_dir)], capture_output=True, timeout=60)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Real-time audio tests run against wall-clock devices on a shared 2-core machine: a scheduling hiccup can
    cost one run, so they get two reruns (pytest-rerunfailures). A real fault fails all three and still fails CI."""
    for item in items:
        if item.get_closest_marker("audio") is not None:
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))
