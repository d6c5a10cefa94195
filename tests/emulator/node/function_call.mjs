// A function call round trip on the OpenAI GA route (environment as in openai_ga.mjs): the session declares a
// tool, the model calls it, the client runs it and sends a function_call_output, then asks for the answer.
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
import { finish, nextResponse, opened, userText } from './realtime_turn.mjs';

const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const getWeather = ({ location }) => ({ location, temperature_c: 18, sky: 'clear' });

const rt = new OpenAIRealtimeWebSocket({ model: 'gpt-realtime' }, new OpenAI());
const errors = [];
await opened(rt, errors);
rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], tools: [weatherTool] } });
rt.send({ type: 'conversation.item.create', item: userText("What's the weather in Paris?") });
const asked = nextResponse(rt, 'ga');
rt.send({ type: 'response.create' });
const [call] = (await asked).calls;

const output = JSON.stringify(getWeather(JSON.parse(call.arguments)));
rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output } });
const answered = nextResponse(rt, 'ga');
rt.send({ type: 'response.create' });
finish(rt, { route: rt.url.pathname, call, output, answer: await answered, errors });
