"""The event flow of openai-python's examples/realtime/push_to_talk_app.py, without its UI and microphone.

Our own code, not the example: a tone burst framed by silence stands in for the microphone and is sent
the way the app sends it (20 ms reads, in real time, `response.cancel` fired just before the first
append). Events are read through the SDK (`async for event in connection`) as the app reads them.
1. server VAD (the app's default): the emulator detects the turn and answers with audio.
2. turn detection off (the app's manual mode): append, then `commit` + `response.create` on "key up".
Prints one line per milestone; EMULATOR_URL is the emulator's ws:// URL.
"""

import asyncio
import base64
import os

import numpy as np
from openai import AsyncOpenAI

RATE = 24_000
READ_SIZE = int(RATE * 0.02)  # the app reads 20 ms from the microphone at a time


def microphone() -> list[bytes]:
    """300 ms silence, 700 ms of a loud 220 Hz tone, 700 ms silence, as 20 ms pcm16 reads."""
    t = np.arange(int(RATE * 0.7)) / RATE
    voice = 0.3 * 32767 * np.sin(2 * np.pi * 220 * t)
    signal = np.concatenate([np.zeros(int(RATE * 0.3)), voice, np.zeros(int(RATE * 0.7))]).astype("<i2").tobytes()
    return [signal[i:i + READ_SIZE * 2] for i in range(0, len(signal), READ_SIZE * 2)]


async def speak(connection, cancel_first: bool) -> None:
    for n, data in enumerate(microphone()):
        if n == 0 and cancel_first:
            asyncio.create_task(connection.send({"type": "response.cancel"}))
        await connection.input_audio_buffer.append(audio=base64.b64encode(data).decode("utf-8"))
        await asyncio.sleep(0.02)


async def read_turn(events, label: str) -> None:
    """Print the milestones of one turn, up to its response.done."""
    audio_bytes = deltas = 0
    transcript = ""
    async for event in events:
        if event.type == "error":
            print(f"{label}: error {event.error.code}")
        elif event.type == "input_audio_buffer.speech_started":
            print(f"{label}: speech_started {event.audio_start_ms}")
        elif event.type == "input_audio_buffer.speech_stopped":
            print(f"{label}: speech_stopped {event.audio_end_ms}")
        elif event.type == "input_audio_buffer.committed":
            print(f"{label}: committed")
        elif event.type == "response.output_audio.delta":
            audio_bytes += len(base64.b64decode(event.delta))
            deltas += 1
        elif event.type == "response.output_audio_transcript.delta":
            transcript += event.delta
        elif event.type == "response.done":
            print(f"{label}: reply {audio_bytes} bytes in {deltas} deltas: {transcript}")
            print(f"{label}: response.done {event.response.status}")
            return


async def configured(connection, turn_detection, label: str):
    """The app's `session.update` at connect; returns the event stream, past `session.updated`."""
    await connection.session.update(session={
        "audio": {"input": {"turn_detection": turn_detection}}, "model": "gpt-realtime", "type": "realtime"})
    events = aiter(connection)
    async for event in events:
        if event.type == "session.updated":
            print(f"{label}: session.updated {event.session.audio.input.turn_detection}")
            return events


async def main() -> None:
    client = AsyncOpenAI(api_key="push-to-talk", websocket_base_url=os.environ["EMULATOR_URL"] + "/v1")
    async with client.realtime.connect(model="gpt-realtime") as connection:
        events = await configured(connection, {"type": "server_vad"}, "vad")
        speaker = asyncio.create_task(speak(connection, cancel_first=True))
        await read_turn(events, "vad")
        await speaker
    # the app with `'turn_detection': None` (its own session, as the app configures it once at connect)
    async with client.realtime.connect(model="gpt-realtime") as connection:
        events = await configured(connection, None, "manual")
        await speak(connection, cancel_first=True)
        await connection.input_audio_buffer.commit()  # the app's "key up" with turn detection off
        await connection.response.create()
        await read_turn(events, "manual")


asyncio.run(main())
