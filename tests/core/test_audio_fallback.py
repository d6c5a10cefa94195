"""Without PortAudio the voice loop says why in one line and text chat (with audio replies) keeps working."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import ctypes.util
    ctypes.util.find_library = lambda name: None  # what sounddevice sees when libportaudio2 is not installed

    import asyncio
    from rt_tui.config import resolve_target_for_emulator
    from rt_tui.core.audio import AudioEngine
    from rt_tui.core.connection import RealtimeWorker
    from rt_tui.core.session import SessionConfig
    from rt_tui.core.voice_loop import VoiceLoop
    from rt_tui.emulator.options import EmulatorOptions
    from rt_tui.emulator.server import Emulator

    async def main():
        fast = EmulatorOptions(realtime_factor=50.0, first_delta_ms=5.0, ping_interval_s=None)
        async with Emulator(fast) as emu:
            events, messages = [], []
            holder = {}
            def on_event(event):
                events.append(event)
                holder["loop"].handle_event(event)
            worker = RealtimeWorker(resolve_target_for_emulator(emu.url), SessionConfig(), on_event, lambda s: None)
            holder["loop"] = loop = VoiceLoop(worker, AudioEngine(), on_message=messages.append)
            task = asyncio.create_task(worker.run())
            print("LISTEN", loop.start_listening())
            print("TALK", loop.toggle_talk())
            worker.send_text("hello")
            for _ in range(1000):
                if any(e.type == "response.done" for e in events):
                    break
                await asyncio.sleep(0.01)
            deltas = sum(e.type == "response.output_audio.delta" for e in events)
            done = [e.payload["response"]["status"] for e in events if e.type == "response.done"]
            print("DONE", done, deltas > 0)
            for message in messages:
                print("MESSAGE", message)
            await worker.stop()
            await task

    asyncio.run(main())
    """
)


def test_text_chat_keeps_working_without_portaudio():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    reason = "PortAudio is not available (install libportaudio2): PortAudio library not found"
    assert lines == [
        "LISTEN False",
        "TALK unavailable",
        "DONE ['completed'] True",
        f"MESSAGE Microphone unavailable: {reason}",
        f"MESSAGE Microphone unavailable: {reason}",
        f"MESSAGE Speaker unavailable: {reason}",
    ], result.stdout + result.stderr
