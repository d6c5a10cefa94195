// Automatic recovery (`reconnect: true`) on the OpenAI GA route (environment as in openai_ga.mjs). Start the
// emulator with a short session limit (`rt-tui emulator --max-session-s 2`): like the service it sends
// `session_expired` and closes with 1001; the SDK opens a new session, which starts from the defaults, so the
// client configures it again before it talks.
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
import { finish, nextResponse, userText } from './realtime_turn.mjs';

const rt = new OpenAIRealtimeWebSocket({ model: 'gpt-realtime', reconnect: true }, new OpenAI());
const errors = [];
const sessions = [];
const closes = [];
rt.on('error', (err) => errors.push(err.error?.code ?? err.message));
rt.on('session.created', (event) => sessions.push(event.session.id));
rt.on('reconnecting', (event) => closes.push(event.closeCode));

await new Promise((resolve) => rt.once('reconnected', resolve)); // emitted() would reject on the error
const reply = nextResponse(rt, 'ga');
rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
rt.send({ type: 'conversation.item.create', item: userText('Hello!') });
rt.send({ type: 'response.create' });
finish(rt, { sessions, closes, ...(await reply), errors });
