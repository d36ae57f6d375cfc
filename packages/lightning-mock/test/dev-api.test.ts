import test from 'ava';
import { InvalidOptionsError, InvalidPlanError, MockClosedError, RunNotFoundError, RunTimeoutError } from '../src/errors.js';
import { createLightningMock } from '../src/index.js';
import { claimAndJoin, connect, startMock } from './helpers/mock.js';
import { oneJobPlan } from '@fleet/lightning-protocol/fixtures';
import { runComplete } from './helpers/run-events.js';

test('enqueueRun returns the plan id, or a new one, and queues the run', async (t) => {
  const mock = await startMock(t);
  t.is(mock.enqueueRun(oneJobPlan({ id: 'mine' })), 'mine');
  const generated = mock.enqueueRun(oneJobPlan());
  t.regex(generated, /^[0-9a-f-]{36}$/);
  t.deepEqual(
    mock.listRuns().map(({ id, status, reason }) => ({ id, status, reason })),
    [
      { id: 'mine', status: 'queued', reason: null },
      { id: generated, status: 'queued', reason: null },
    ],
  );
});

test('enqueueRun rejects a malformed plan naming the problems, and queues nothing', async (t) => {
  const mock = await startMock(t);
  const error = t.throws(() => mock.enqueueRun({ jobs: [{ id: 'a', body: 'x' }] }), { instanceOf: InvalidPlanError });
  t.deepEqual(error?.problems, ['jobs[0].adaptor is required']);
  t.deepEqual(mock.listRuns(), []);
});

test('enqueueRun rejects a second run with the same id', async (t) => {
  const mock = await startMock(t);
  mock.enqueueRun(oneJobPlan({ id: 'r1' }));
  t.throws(() => mock.enqueueRun(oneJobPlan({ id: 'r1' })), { instanceOf: InvalidPlanError, message: /id r1 is already the id of an enqueued run/ });
});

test('a dataclip given with a plan that names its dataclip_id is stored under that id', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan({ dataclip_id: 'd1' }), { dataclip: { data: { x: 1 } } });
  t.is(mock.getRun(id)?.plan.dataclip_id, 'd1');
  t.deepEqual(mock.getDataclip('d1'), { data: { x: 1 } });
});

test('getRun returns a copy: changing it does not change the run', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const run = mock.getRun(id)!;
  run.status = 'success';
  run.plan.jobs.length = 0;
  t.like(mock.getRun(id), { status: 'queued', plan: { jobs: [{ id: 'only' }] } });
  t.is(mock.getRun('nope'), undefined);
});

test('waitForRun rejects for an unknown run', async (t) => {
  const mock = await startMock(t);
  await t.throwsAsync(mock.waitForRun('nope'), { instanceOf: RunNotFoundError });
});

test('waitForRun rejects with RunTimeoutError naming the status the run is stuck in', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const error = await t.throwsAsync(mock.waitForRun(id, { timeoutMs: 20 }), { instanceOf: RunTimeoutError });
  t.is(error?.lastStatus, 'queued');
});

test('waitForRun resolves at once for a run that has already finished', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  await client.push(topic, 'run:complete', runComplete());
  t.like(await mock.waitForRun(id, { timeoutMs: 1 }), { status: 'success' });
});

test('waitForAll resolves once every run has finished, in the order asked', async (t) => {
  const mock = await startMock(t);
  const ids = ['r1', 'r2'].map((id) => mock.enqueueRun(oneJobPlan({ id })));
  const all = mock.waitForAll(ids, { timeoutMs: 5000 });
  const client = await connect(t, mock);
  const first = await claimAndJoin(client);
  const second = await claimAndJoin(client);
  await client.push(second.topic, 'run:complete', runComplete({ reason: 'fail', error_type: 'E', error_message: 'm' }));
  await client.push(first.topic, 'run:complete', runComplete());
  t.deepEqual(
    (await all).map(({ id, status }) => [id, status]),
    [
      ['r1', 'success'],
      ['r2', 'failed'],
    ],
  );
});

test('close rejects pending waits, and does not mark claimed runs lost', async (t) => {
  const mock = await createLightningMock();
  const id = mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  await claimAndJoin(client);
  const waiting = mock.waitForRun(id);
  const disconnected = new Promise((resolve) => mock.once('disconnect', resolve));
  await mock.close();
  await t.throwsAsync(waiting, { instanceOf: MockClosedError });
  await disconnected;
  t.is(mock.getRun(id)?.status, 'claimed');
});

for (const [name, options] of [
  ['a port out of range', { port: 70000 }],
  ['a negative lostGraceMs', { lostGraceMs: -1 }],
  ['a runPrivateKey that is not a key', { runPrivateKey: 'bm90IGEga2V5' }],
] as const) {
  test(`createLightningMock refuses ${name}`, async (t) => {
    await t.throwsAsync(createLightningMock(options), { instanceOf: InvalidOptionsError });
  });
}
