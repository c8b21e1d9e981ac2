// WebSocket half of the standard session for Artillery (see artillery.yaml):
// connect with the token the http step captured, start_agent, three
// user_message, get_state, close. Each step's round trip goes into an
// Artillery histogram (ws.connect, ws.start_agent, ws.user_message,
// ws.get_state, ws.session); sessions count as session.ok / session.failed.
'use strict';
const path = require('path');

function loadWs() {
  try {
    return require('ws');
  } catch (e) {
    return require(path.join(__dirname, '..', '.peers', 'node_modules', 'ws'));
  }
}
const WebSocket = loadWs();
const WS_URL = process.env.BENCH_WS_URL || 'ws://127.0.0.1:8000/ws';
const TIMEOUT_MS = 30000;
let counter = 0;

function identify(context, events, done) {
  counter += 1;
  context.vars.user_id = `u-${process.pid}-${counter}`;
  done();
}

function wsSession(context, events, done) {
  const began = Date.now();
  const user = context.vars.user_id;
  const canary = `cst_bench_${counter}_artillery`;
  const ws = new WebSocket(WS_URL, { headers: { Authorization: `Bearer ${context.vars.token}` } });
  let requests = 0;
  let pending = null;
  let finished = false;
  const timer = setTimeout(() => end(new Error('session timeout')), TIMEOUT_MS);

  function end(error) {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    events.emit('counter', error ? 'session.failed' : 'session.ok', 1);
    if (!error) events.emit('histogram', 'ws.session', Date.now() - began);
    try { ws.terminate(); } catch (e) { /* already gone */ }
    done(error);
  }

  function exchange(name, message, expect) {
    return new Promise((resolve, reject) => {
      requests += 1;
      message.request_id = `${user}-r${requests}`;
      pending = { id: message.request_id, name, expect, at: Date.now(), resolve, reject };
      ws.send(JSON.stringify(message));
    });
  }

  ws.on('message', (data) => {
    let answer;
    try { answer = JSON.parse(data.toString()); } catch (e) { return; }
    if (!pending || answer.request_id !== pending.id) return;
    const step = pending;
    pending = null;
    events.emit('histogram', `ws.${step.name}`, Date.now() - step.at);
    if (answer.type !== step.expect) step.reject(new Error(`${step.name} answered ${answer.type}`));
    else step.resolve(answer);
  });
  ws.on('error', (error) => end(error));
  ws.on('close', () => { if (!finished && pending) end(new Error('closed mid-session')); });
  const connecting = Date.now();
  ws.on('open', async () => {
    events.emit('histogram', 'ws.connect', Date.now() - connecting);
    try {
      const started = await exchange('start_agent', { type: 'start_agent', context: {
        canary, user_id: user, profile: { email: `${user}@example.test`, display_name: user } } }, 'agent_started');
      const agent = started.agent_id;
      for (const content of [`Please remember my code word ${canary}.`, 'status?',
        `Which code word did I give you? It was ${canary}.`]) {
        await exchange('user_message', { type: 'user_message', agent_id: agent, content }, 'agent_response');
      }
      await exchange('get_state', { type: 'get_state', agent_id: agent }, 'agent_state');
      ws.once('close', () => end(null));
      ws.close(1000);
    } catch (error) {
      end(error);
    }
  });
}

module.exports = { identify, wsSession };
