// What the example clients share: wait for the socket, collect one response, run one text turn.
// Each client prints one JSON summary line; tests/emulator/test_node_clients.py reads it.

const DELTAS = {
  ga: {
    transcript: 'response.output_audio_transcript.delta',
    text: 'response.output_text.delta',
    audio: 'response.output_audio.delta',
  },
  beta: { transcript: 'response.audio_transcript.delta', text: 'response.text.delta', audio: 'response.audio.delta' },
};

let finished = false;

/** Resolves once the socket is open. Server `error` events are kept in `errors` (the session goes on);
 * a transport error (refused handshake, TLS, lost connection) ends the process. */
export function opened(rt, errors) {
  rt.on('error', (err) => {
    if (err.error) {
      errors.push(err.error.code);
      return;
    }
    console.error(`connection failed: ${err.message}`);
    process.exit(1);
  });
  rt.socket.addEventListener('close', ({ code, reason }) => {
    if (!finished) {
      console.error(`connection closed: ${code} ${reason}`);
      process.exit(1);
    }
  });
  return new Promise((resolve) => rt.socket.addEventListener('open', resolve, { once: true }));
}

/** Everything the next response streams, up to its `response.done`. Call it before `response.create`. */
export function nextResponse(rt, dialect) {
  const names = DELTAS[dialect];
  const reply = { transcript: '', text: '', audioBytes: 0, audioDeltas: 0 };
  return new Promise((resolve) => {
    const collect = (event) => {
      if (event.type === names.transcript) reply.transcript += event.delta;
      else if (event.type === names.text) reply.text += event.delta;
      else if (event.type === names.audio) {
        reply.audioBytes += Buffer.from(event.delta, 'base64').length;
        reply.audioDeltas += 1;
      } else if (event.type === 'response.done') {
        rt.off('event', collect);
        const { status, usage, output } = event.response;
        const calls = output
          .filter((item) => item.type === 'function_call')
          .map(({ name, call_id, arguments: args }) => ({ name, call_id, arguments: args }));
        resolve({ ...reply, status, usage, calls });
      }
    };
    rt.on('event', collect);
  });
}

export function userText(text) {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

/** session.update, a typed user message and response.create; resolves to a summary of the session and the reply. */
export async function oneTurn(rt, dialect, session, text) {
  const errors = [];
  await opened(rt, errors);
  let updated = null;
  rt.on('session.updated', (event) => (updated = event.session));
  const reply = nextResponse(rt, dialect);
  rt.send({ type: 'session.update', session });
  rt.send({ type: 'conversation.item.create', item: userText(text) });
  rt.send({ type: 'response.create' });
  const answer = await reply; // session.updated arrives before it
  return { route: rt.url.pathname, session: updated, ...answer, errors };
}

/** Prints the summary and closes the connection (a close before this ends the process with an error). */
export function finish(rt, summary) {
  finished = true;
  rt.close();
  console.log(JSON.stringify(summary));
}
