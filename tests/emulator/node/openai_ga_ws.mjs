// openai_ga.mjs on the SDK's other transport, the `ws` package (`openai/realtime/ws`, no global WebSocket needed,
// so Node 20 runs it without flags). The key goes in an `Authorization: Bearer` header here.
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { finish, oneTurn } from './realtime_turn.mjs';

const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, new OpenAI());
const session = {
  type: 'realtime',
  instructions: 'Answer like a pirate.',
  output_modalities: ['audio'],
  audio: { output: { voice: 'cedar' } },
};
finish(rt, await oneTurn(rt, 'ga', session, 'What are your instructions?'));
