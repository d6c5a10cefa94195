// Azure classic route with a preview api-version (beta dialect): the beta client connects to
// wss://…/openai/realtime?api-version=2025-04-01-preview&deployment=DEPLOYMENT with an `api-key` header.
// AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY come from the environment.
import { AzureOpenAI } from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/beta/realtime/websocket';
import { finish, oneTurn } from './realtime_turn.mjs';

const client = new AzureOpenAI({ apiVersion: '2025-04-01-preview', deployment: 'gpt-4o-realtime-preview' });
const rt = await OpenAIRealtimeWebSocket.azure(client);
const session = { instructions: 'Answer like a pirate.', modalities: ['text', 'audio'], voice: 'verse' };
finish(rt, await oneTurn(rt, 'beta', session, 'What are your instructions?'));
