import test from 'ava';
import type { ClaimedRun } from '../src/types.js';
import { claimOne, connect, startMock } from './helpers/mock.js';
import { oneJobPlan } from '@fleet/lightning-protocol/fixtures';

const runsOf = (response: unknown): ClaimedRun[] => (response as { runs: ClaimedRun[] }).runs;

test('a claim with demand 1 hands out the oldest run with a token', async (t) => {
  const mock = await startMock(t);
  const first = mock.enqueueRun(oneJobPlan());
  mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const claimed = await claimOne(client);
  t.is(claimed.id, first);
  t.regex(claimed.token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
  t.like(mock.getRun(first), { status: 'claimed', workerName: 'test-worker' });
});

test('a claim takes from the first queue it names that has a run, * meaning any, oldest first', async (t) => {
  const mock = await startMock(t);
  for (const id of ['d1', 'd2']) mock.enqueueRun(oneJobPlan({ id }));
  mock.enqueueRun(oneJobPlan({ id: 'm1' }), { queue: 'manual' });
  const client = await connect(t, mock);
  await client.join('worker:queue');
  const claimed = async (queues?: string[]) =>
    runsOf((await client.push('worker:queue', 'claim', { demand: 1, ...(queues ? { queues } : {}) })).response).map((run) => run.id);
  t.deepEqual(await claimed(['fast_lane']), []);
  t.deepEqual(await claimed(['manual', '*']), ['m1']);
  t.deepEqual(await claimed(['manual', '*']), ['d1']);
  t.deepEqual(await claimed(), ['d2']);
});

test('a queue name must be a word', async (t) => {
  const mock = await startMock(t);
  t.throws(() => mock.enqueueRun(oneJobPlan(), { queue: 'not a name' }), { message: /queue must be a name of letters, digits and _/ });
});

test('a claim with demand 3 hands out three runs in FIFO order and leaves the rest queued', async (t) => {
  const mock = await startMock(t);
  const ids = ['r1', 'r2', 'r3', 'r4'].map((id) => mock.enqueueRun(oneJobPlan({ id })));
  const client = await connect(t, mock);
  await client.join('worker:queue');
  const reply = await client.push('worker:queue', 'claim', { demand: 3, worker_name: null, queues: ['manual', '*'] });
  t.is(reply.status, 'ok');
  t.deepEqual(
    runsOf(reply.response).map((run) => run.id),
    ids.slice(0, 3),
  );
  t.deepEqual(
    mock.listRuns().map((run) => run.status),
    ['claimed', 'claimed', 'claimed', 'queued'],
  );
  const next = await client.push('worker:queue', 'claim', { demand: 3 });
  t.deepEqual(
    runsOf(next.response).map((run) => run.id),
    ['r4'],
  );
});

test('a claim on an empty queue replies ok with no runs', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  await client.join('worker:queue');
  t.deepEqual(await client.push('worker:queue', 'claim', { demand: 1 }), { status: 'ok', response: { runs: [] } });
});

test('two workers claiming at once never get the same run', async (t) => {
  const mock = await startMock(t);
  for (const id of ['r1', 'r2', 'r3']) mock.enqueueRun(oneJobPlan({ id }));
  const [a, b] = await Promise.all([connect(t, mock), connect(t, mock)]);
  await Promise.all([a.join('worker:queue'), b.join('worker:queue')]);
  const replies = await Promise.all([a, b].map((client) => client.push('worker:queue', 'claim', { demand: 2 })));
  const ids = replies.flatMap((reply) => runsOf(reply.response).map((run) => run.id));
  t.deepEqual([...ids].sort(), ['r1', 'r2', 'r3']);
});

for (const [name, payload, field] of [
  ['demand 0', { demand: 0 }, 'demand must be a positive integer'],
  ['no demand', {}, 'demand is required'],
  ['a numeric worker_name', { demand: 1, worker_name: 7 }, 'worker_name must be a string'],
] as const) {
  test(`a claim with ${name} is refused naming the field, and hands out nothing`, async (t) => {
    const mock = await startMock(t);
    const id = mock.enqueueRun(oneJobPlan());
    const client = await connect(t, mock);
    await client.join('worker:queue');
    const reply = await client.push('worker:queue', 'claim', payload);
    t.is(reply.status, 'error');
    t.regex((reply.response as { reason: string }).reason, new RegExp(field));
    t.is(mock.getRun(id)?.status, 'queued');
  });
}

test('the claim event reports who claimed what', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const claimed = new Promise((resolve) => mock.once('claim', resolve));
  await claimOne(await connect(t, mock));
  t.like(await claimed, { workerName: 'test-worker', demand: 1, runs: [{ id }] });
});

test('enqueueing a run pushes work-available to every socket on the queue', async (t) => {
  const mock = await startMock(t);
  const [a, b, notJoined] = await Promise.all([connect(t, mock), connect(t, mock), connect(t, mock)]);
  await Promise.all([a.join('worker:queue'), b.join('worker:queue')]);
  mock.enqueueRun(oneJobPlan());
  const pushes = await Promise.all([a, b].map((client) => client.nextPush('worker:queue', 'work-available')));
  for (const push of pushes) t.like(push, { topic: 'worker:queue', payload: {} });
  t.truthy(pushes[0]?.joinRef, 'pushed with the join ref of the channel');
  // Pushes are written as the run is enqueued, so one meant for this socket
  // would arrive before the reply to a heartbeat sent afterwards.
  await notJoined.heartbeat();
  t.deepEqual(notJoined.pushes(), []);
});

test('a socket that left the queue is no longer told about work', async (t) => {
  const mock = await startMock(t);
  const [stays, leaves] = await Promise.all([connect(t, mock), connect(t, mock)]);
  await Promise.all([stays.join('worker:queue'), leaves.join('worker:queue')]);
  await leaves.leave('worker:queue');
  mock.enqueueRun(oneJobPlan());
  await stays.nextPush('worker:queue', 'work-available');
  await leaves.heartbeat();
  t.deepEqual(leaves.pushes(), []);
});
