import test from 'ava';
import WebSocket from 'ws';
import { silentLogger, type Logger } from '../src/index.js';
import { ConnectionRefusedError, PhoenixTestClient } from './helpers/phoenix-client.js';
import { connect, startMock } from './helpers/mock.js';
import { workerToken } from './helpers/worker-token.js';

test('a heartbeat on topic phoenix is answered with ok', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  t.deepEqual(await client.heartbeat(), { status: 'ok', response: {} });
});

test('joining worker:queue replies ok with an empty response', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  const joined = new Promise((resolve) => mock.once('join', resolve));
  t.deepEqual(await client.join('worker:queue', { capacity: 5, queues: { 'manual>*': 5 } }), { status: 'ok', response: {} });
  t.like(await joined, { topic: 'worker:queue' });
});

test('a queue join with a malformed payload is refused naming the field', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  const reply = await client.join('worker:queue', { capacity: 'lots' });
  t.is(reply.status, 'error');
  t.regex((reply.response as { reason: string }).reason, /capacity must be a number/);
});

test('joining an unknown topic is refused, and the socket carries on', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  t.deepEqual(await client.join('room:lobby'), { status: 'error', response: { reason: 'unmatched topic' } });
  t.is((await client.heartbeat()).status, 'ok');
});

test('a push to a topic that was not joined is refused', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  t.deepEqual(await client.push('worker:queue', 'claim', { demand: 1 }), { status: 'error', response: { reason: 'unmatched topic' } });
});

test('an unknown event on a joined channel is refused naming it', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  await client.join('worker:queue');
  t.deepEqual(await client.push('worker:queue', 'dance'), { status: 'error', response: { reason: 'unknown event dance on worker:queue' } });
});

test('phx_leave is answered, and the channel is gone afterwards', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  await client.join('worker:queue');
  t.is((await client.leave('worker:queue')).status, 'ok');
  t.is((await client.push('worker:queue', 'claim', { demand: 1 })).status, 'error');
});

test('malformed frames are dropped without closing the socket', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  client.sendRaw('not json');
  client.sendRaw(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1' }));
  t.is((await client.heartbeat()).status, 'ok');
});

test('with a secret, a token signed with it is accepted and its worker id recorded', async (t) => {
  const mock = await startMock(t, { secret: 'shh' });
  const connected = new Promise((resolve) => mock.once('connect', resolve));
  const client = await connect(t, mock, { params: { token: await workerToken('shh', 'calm-red-fox') } });
  t.like(await connected, { workerId: 'calm-red-fox' });
  t.is((await client.join('worker:queue')).status, 'ok');
});

test('with a secret, a token signed with another secret is refused with 401', async (t) => {
  const mock = await startMock(t, { secret: 'shh' });
  const error = await t.throwsAsync(PhoenixTestClient.connect(mock.url, { params: { token: await workerToken('wrong') } }), {
    instanceOf: ConnectionRefusedError,
  });
  t.is(error?.status, 401);
});

test('with a secret, a token that is not a JWT is refused with 401', async (t) => {
  const mock = await startMock(t, { secret: 'shh' });
  const error = await t.throwsAsync(PhoenixTestClient.connect(mock.url, { params: { token: 'x.y.z' } }), { instanceOf: ConnectionRefusedError });
  t.is(error?.status, 401);
});

test('a connection without a token is refused with 401', async (t) => {
  const mock = await startMock(t);
  const error = await t.throwsAsync(PhoenixTestClient.connect(mock.url), { instanceOf: ConnectionRefusedError });
  t.is(error?.status, 401);
});

/** 'open', or the HTTP status the upgrade was answered with. */
function upgradeOutcome(url: string): Promise<'open' | number> {
  const ws = new WebSocket(url);
  // Aborting a refused handshake emits an error the outcome already reports.
  ws.on('error', () => {});
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('unexpected-response', (_request, response) => {
      ws.terminate();
      resolve(response.statusCode ?? 0);
    });
  });
}

test('another serializer version is refused with 400', async (t) => {
  const mock = await startMock(t);
  t.is(await upgradeOutcome(`${mock.url}/websocket?token=x&vsn=1.0.0`), 400);
});

test('the socket is served at the configured endpoint and at endpoint/websocket, nowhere else', async (t) => {
  const mock = await startMock(t);
  const outcomes = await Promise.all(['/worker', '/worker/websocket', '/elsewhere'].map((path) => upgradeOutcome(`${mock.httpUrl.replace('http', 'ws')}${path}?token=x`)));
  t.deepEqual(outcomes, ['open', 'open', 404]);
});

test("a frame over Lightning's limit closes that connection with 1009, says why, and the mock serves on", async (t) => {
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
  const mock = await startMock(t, { logger });
  const big = await connect(t, mock);
  await big.join('worker:queue');
  big.sendRaw(JSON.stringify([null, '9', 'worker:queue', 'claim', { demand: 1, padding: 'x'.repeat(11_000_000) }]));
  t.is(await big.closed, 1009);
  t.true(warnings.some((message) => /sent a frame over Lightning's limit of 11000000 bytes/.test(message)));
  const next = await connect(t, mock);
  t.is((await next.heartbeat()).status, 'ok');
});
