// Azure GA route: AZURE_OPENAI_ENDPOINT (the emulator: https://127.0.0.1:PORT) and AZURE_OPENAI_API_KEY come from
// the environment. OpenAIRealtimeWebSocket.azure connects to wss://…/openai/v1/realtime?model=DEPLOYMENT with the
// key in an `api-key` header; the api-version is required by AzureOpenAI but not sent on this route.
import { AzureOpenAI } from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
import { finish, oneTurn } from './realtime_turn.mjs';

const client = new AzureOpenAI({ apiVersion: '2025-08-28', deployment: 'gpt-realtime' });
const rt = await OpenAIRealtimeWebSocket.azure(client);
const session = {
  type: 'realtime',
  instructions: 'Answer like a pirate.',
  output_modalities: ['audio'],
  audio: { output: { voice: 'cedar' } },
};
finish(rt, await oneTurn(rt, 'ga', session, 'What are your instructions?'));
