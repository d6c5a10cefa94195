"""The same conversation with the GA client (`AsyncOpenAI().realtime`) on a GA route.
ROUTE=v1: wss://HOST/v1 as websocket_base_url; ROUTE=azure: https://HOST/openai/v1 as base_url."""

import asyncio
import base64
import os

from openai import AsyncOpenAI


async def main() -> None:
    endpoint = os.environ["EMULATOR_HTTPS"]
    if os.environ["ROUTE"] == "v1":
        client = AsyncOpenAI(api_key=os.environ["KEY"], websocket_base_url=endpoint.replace("https", "wss") + "/v1")
    else:
        client = AsyncOpenAI(api_key=os.environ["KEY"], base_url=endpoint + "/openai/v1")
    async with client.realtime.connect(model="gpt-realtime") as connection:
        await connection.session.update(session={"type": "realtime", "instructions": "Be kind."})
        await connection.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hello!"}]})
        await connection.response.create()
        async for event in connection:
            if event.type == "session.updated":
                print("Session updated.")
            elif event.type == "response.output_audio.delta":
                print(f"Received {len(base64.b64decode(event.delta))} bytes of audio data.")
            elif event.type == "response.output_audio_transcript.delta":
                print(f"Received text delta: {event.delta}")
            elif event.type == "response.done":
                break


asyncio.run(main())
