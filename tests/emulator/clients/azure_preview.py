"""A beta-era client on the Azure classic path with a preview api-version (beta dialect)."""

import asyncio
import base64
import os

from openai import AsyncAzureOpenAI


async def main() -> None:
    client = AsyncAzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
                              api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2025-04-01-preview")
    async with client.beta.realtime.connect(model="gpt-4o-realtime-preview") as connection:
        await connection.session.update(session={"modalities": ["text", "audio"], "voice": "alloy"})
        await connection.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hello!"}]})
        await connection.response.create()
        async for event in connection:
            if event.type == "session.updated":
                print(f"Session updated: {event.session.modalities}")
            elif event.type == "response.audio.delta":
                print(f"Received {len(base64.b64decode(event.delta))} bytes of audio data.")
            elif event.type == "response.audio_transcript.delta":
                print(f"Received text delta: {event.delta}")
            elif event.type == "error":
                print(f"Error: {event.error.code}")
            elif event.type == "response.done":
                break


asyncio.run(main())
