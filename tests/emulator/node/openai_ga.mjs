// OpenAI GA route: OPENAI_API_KEY and OPENAI_BASE_URL (the emulator: https://127.0.0.1:PORT/v1) come from the
// environment, as for api.openai.com. The SDK connects to wss://…/v1/realtime?model=gpt-realtime and sends the
// key as the subprotocol `openai-insecure-api-key.KEY`.
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
import { finish, oneTurn } from './realtime_turn.mjs';

const rt = new OpenAIRealtimeWebSocket({ model: 'gpt-realtime' }, new OpenAI());
const session = {
  type: 'realtime',
  instructions: 'Answer like a pirate.',
  output_modalities: ['audio'], // GA: audio plus its transcript
  audio: { output: { voice: 'cedar' } },
};
finish(rt, await oneTurn(rt, 'ga', session, 'What are your instructions?'));
