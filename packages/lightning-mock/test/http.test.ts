import test from 'ava';
import type { LightningMock } from '../src/index.js';
import { claimAndJoin, claimOne, connect, startMock } from './helpers/mock.js';
import { twoJobPlan } from '@fleet/lightning-protocol/fixtures';
import { runComplete } from './helpers/run-events.js';

async function call(mock: LightningMock, method: string, path: string, body?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${mock.httpUrl}${path}`, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
  return { status: response.status, body: await response.json() };
}

test('GET / answers 200 for health checks', async (t) => {
  const mock = await startMock(t);
  t.deepEqual(await call(mock, 'GET', '/'), { status: 200, body: { status: 'ok' } });
});

test('POST /api/runs enqueues a run with its dataclip and credentials and answers 201 with its id', async (t) => {
  const mock = await startMock(t);
  const enqueued = new Promise((resolve) => mock.once('enqueue', resolve));
  const { status, body } = await call(
    mock,
    'POST',
    '/api/runs',
    JSON.stringify({ plan: twoJobPlan({ id: 'h1' }), dataclip: { data: { n: 2 } }, credentials: { c1: { token: 't' } } }),
  );
  t.deepEqual({ status, body }, { status: 201, body: { id: 'h1' } });
  t.deepEqual(await enqueued, { runId: 'h1' });
  const run = mock.getRun('h1')!;
  t.deepEqual(mock.getDataclip(run.plan.dataclip_id!), { data: { n: 2 } });
});

test('GET /api/runs lists runs with status and reason; GET /api/runs/:id shows one with events and logs', async (t) => {
  const mock = await startMock(t);
  mock.enqueueRun(twoJobPlan({ id: 'done' }));
  mock.enqueueRun(twoJobPlan({ id: 'waiting' }));
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  await client.push(topic, 'run:complete', runComplete({ reason: 'crash', error_type: 'CompileError', error_message: 'a: bad' }));

  const list = await call(mock, 'GET', '/api/runs');
  t.is(list.status, 200);
  t.like(list.body, [
    { id: 'done', status: 'crashed', reason: 'crash', errorType: 'CompileError' },
    { id: 'waiting', status: 'queued', reason: null },
  ]);
  const one = await call(mock, 'GET', '/api/runs/done');
  t.is(one.status, 200);
  t.like(one.body, { id: 'done', status: 'crashed', errorMessage: 'a: bad', logs: [] });
  t.deepEqual(
    one.body.events.map((e: { event: string }) => e.event),
    ['run:complete'],
  );
});

test('GET /api/runs/:id answers 404 for an unknown run', async (t) => {
  const mock = await startMock(t);
  const { status, body } = await call(mock, 'GET', '/api/runs/nope');
  t.is(status, 404);
  t.regex(body.error, /nope/);
});

test('POST /api/runs with a malformed plan answers 400 with every problem, and enqueues nothing', async (t) => {
  const mock = await startMock(t);
  const { status, body } = await call(mock, 'POST', '/api/runs', JSON.stringify({ plan: { jobs: [{ id: 'a', adaptor: 'x@1.0.0' }], edges: 'none' } }));
  t.is(status, 400);
  t.deepEqual(body.problems, ['jobs[0].body is required', 'edges must be an array']);
  t.regex(body.error, /^Invalid plan: /);
  t.deepEqual(mock.listRuns(), []);
});

for (const [name, text, pattern] of [
  ['invalid JSON', '{"plan": ', /not valid JSON/],
  ['no plan', '{"dataclip": {}}', /Expected a JSON object \{plan/],
  ['credentials that are not an object', JSON.stringify({ plan: twoJobPlan(), credentials: ['c1'] }), /credentials must be an object/],
] as const) {
  test(`POST /api/runs with ${name} answers 400`, async (t) => {
    const mock = await startMock(t);
    const { status, body } = await call(mock, 'POST', '/api/runs', text);
    t.is(status, 400);
    t.regex(body.error, pattern);
  });
}

test('unknown paths answer 404 and wrong methods 405', async (t) => {
  const mock = await startMock(t);
  t.is((await call(mock, 'GET', '/api/elsewhere')).status, 404);
  t.is((await call(mock, 'DELETE', '/api/runs')).status, 405);
});

test("the collections API: a run's token reads and writes a collection; no token, no access", async (t) => {
  const mock = await startMock(t);
  mock.createCollection('tags');
  mock.enqueueRun(twoJobPlan());
  const { token } = await claimOne(await connect(t, mock));
  const collections = async (method: string, path: string, body?: unknown, auth = token) => {
    const response = await fetch(`${mock.httpUrl}/collections/${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (response.status === 204 ? null : await response.json()) as any };
  };
  t.like(await collections('PUT', 'tags/a-1', { value: '{"n":1}' }), { status: 200, body: { upserted: 1 } });
  t.like(await collections('POST', 'tags', { items: [{ key: 'b-1', value: '2' }] }), { status: 200, body: { upserted: 1 } });
  t.like(await collections('GET', 'tags/a-1'), { status: 200, body: { key: 'a-1', value: '{"n":1}' } });
  t.deepEqual((await collections('GET', 'tags?key=a-*')).body.items.map((item: { key: string }) => item.key), ['a-1']);
  t.like(await collections('DELETE', 'tags/b-1'), { status: 200, body: { deleted: 1 } });
  t.is((await collections('GET', 'tags/b-1')).status, 204);
  t.deepEqual(mock.getCollection('tags'), { 'a-1': { n: 1 } });
  t.is((await collections('GET', 'tags/a-1', undefined, 'x.y.z')).status, 401);
  t.is((await collections('GET', 'nope/a')).status, 404);
});
