import { createPublicKey, randomUUID } from 'node:crypto';
import test from 'ava';
import { jwtVerify } from 'jose';
import { generateRunKeys } from '../src/keys.js';
import { jsonFromBytes } from './helpers/phoenix-client.js';
import { claimAndJoin, claimOne, connect, startMock } from './helpers/mock.js';
import { oneJobPlan, twoJobPlan } from '@fleet/lightning-protocol/fixtures';
import { runComplete, runLog, runStart, stepComplete, stepStart } from './helpers/run-events.js';
import { workerToken } from './helpers/worker-token.js';

const reasonOf = (response: unknown): string => (response as { reason: string }).reason;

test('joining a run channel with the token from the claim replies ok', async (t) => {
  const mock = await startMock(t);
  mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const { id, token } = await claimOne(client);
  t.deepEqual(await client.join(`run:${id}`, { token }), { status: 'ok', response: {} });
});

test('joining a run channel without a token, with a forged one or with another run\'s is unauthorized', async (t) => {
  const mock = await startMock(t, { secret: 'shh' });
  mock.enqueueRun(oneJobPlan({ id: 'r1' }));
  mock.enqueueRun(oneJobPlan({ id: 'r2' }));
  const client = await connect(t, mock, { params: { token: await workerToken('shh') } });
  await client.join('worker:queue');
  const reply = await client.push('worker:queue', 'claim', { demand: 2 });
  const [r1, r2] = (reply.response as { runs: Array<{ id: string; token: string }> }).runs;
  const unauthorized = { status: 'error', response: { reason: 'unauthorized' } };
  t.deepEqual(await client.join('run:r1'), unauthorized);
  t.deepEqual(await client.join('run:r1', { token: 'x.y.z' }), unauthorized);
  t.deepEqual(await client.join('run:r1', { token: r2!.token }), unauthorized);
  t.deepEqual(await client.join('run:r1', { token: r1!.token }), { status: 'ok', response: {} });
});

test('joining the channel of an unknown run is refused as not_found', async (t) => {
  const mock = await startMock(t);
  const client = await connect(t, mock);
  t.deepEqual(await client.join('run:nope', { token: 'x.y.z' }), { status: 'error', response: { reason: 'not_found' } });
});

test('with a private key, run tokens are RS256 JWTs a worker verifies with the public key', async (t) => {
  const keys = generateRunKeys();
  const mock = await startMock(t, { runPrivateKey: Buffer.from(keys.privateKey).toString('base64') });
  t.is(mock.runPublicKey?.trim(), keys.publicKey.trim());
  const id = mock.enqueueRun(oneJobPlan());
  const { token } = await claimOne(await connect(t, mock));
  const { payload, protectedHeader } = await jwtVerify(token, createPublicKey(keys.publicKey), { issuer: 'Lightning' });
  t.is(protectedHeader.alg, 'RS256');
  t.is(payload.id, id);
  t.true(typeof payload.exp === 'number' && typeof payload.nbf === 'number');
});

test('fetch:plan replies with the stored plan, its id filled in', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(twoJobPlan());
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  const reply = await client.push(topic, 'fetch:plan');
  t.is(reply.status, 'ok');
  t.deepEqual(reply.response, { ...twoJobPlan(), id });
});

test('events enqueued as refused get an error reply with that reason; the others are served', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(twoJobPlan(), { refuse: { 'fetch:plan': 'unavailable' } });
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  t.deepEqual(await client.push(topic, 'fetch:plan'), { status: 'error', response: { reason: 'unavailable' } });
  t.is((await client.push(topic, 'run:start', runStart())).status, 'ok');
  t.is(mock.getRun(id)?.status, 'started');
});

test('refusing something that is not a run event is an InvalidOptionsError, and nothing is enqueued', async (t) => {
  const mock = await startMock(t);
  t.throws(() => mock.enqueueRun(twoJobPlan(), { refuse: { 'fetch:everything': 'no' } as never }), {
    name: 'InvalidOptionsError',
    message: 'refuse names events that are not run events: fetch:everything',
  });
  t.deepEqual(mock.listRuns(), []);
});

test('fetch:credential replies with the credential body, or not_found naming the id', async (t) => {
  const mock = await startMock(t);
  mock.enqueueRun(twoJobPlan(), { credentials: { c1: { user: 'u', password: 'p' } } });
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  t.deepEqual(await client.push(topic, 'fetch:credential', { id: 'c1' }), { status: 'ok', response: { user: 'u', password: 'p' } });
  t.deepEqual(await client.push(topic, 'fetch:credential', { id: 'c2' }), {
    status: 'error',
    response: { reason: 'not_found', errors: { id: ['no credential with id c2'] } },
  });
});

test('fetch:dataclip replies with the JSON bytes of the input as a binary reply', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(twoJobPlan(), { dataclip: { data: { n: 1 }, ü: 'ñ' } });
  const dataclipId = mock.getRun(id)!.plan.dataclip_id;
  t.truthy(dataclipId, 'enqueueRun put the dataclip id on the plan');
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  const reply = await client.push(topic, 'fetch:dataclip', { id: dataclipId });
  t.is(reply.status, 'ok');
  t.true(reply.response instanceof Uint8Array);
  t.deepEqual(jsonFromBytes(reply.response), { data: { n: 1 }, ü: 'ñ' });
  t.deepEqual(await client.push(topic, 'fetch:dataclip', { id: 'missing' }), {
    status: 'error',
    response: { reason: 'not_found', errors: { id: ['no dataclip with id missing'] } },
  });
});

test('a full run ending in run:complete with reason success is recorded as success', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(twoJobPlan(), { dataclip: { data: {} }, credentials: { c1: {} } });
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  const [stepA, stepB] = [randomUUID(), randomUUID()];
  const outA = stepComplete('a', stepA, { data: { a: 1 } });
  const outB = stepComplete('b', stepB, { data: { a: 1 }, done: true });
  const dataclipId = mock.getRun(id)!.plan.dataclip_id;
  const sequence: Array<[string, unknown]> = [
    ['fetch:plan', {}],
    ['fetch:dataclip', { id: dataclipId }],
    ['fetch:credential', { id: 'c1' }],
    ['run:log', runLog(id, ['Memory limit: 500mb'], { source: 'RTE' })],
    ['run:start', runStart()],
    ['step:start', stepStart('a', stepA, { input_dataclip_id: dataclipId })],
    ['run:log', runLog(id, ['hello from a'], { step_id: stepA })],
    ['step:complete', outA],
    ['step:start', stepStart('b', stepB, { input_dataclip_id: outA.output_dataclip_id })],
    ['run:batch_logs', { run_id: id, logs: [runLog(id, ['one'], { step_id: stepB }), runLog(id, ['two'], { step_id: stepB })].map(({ run_id, ...line }) => line) }],
    ['step:complete', outB],
    ['run:log', runLog(id, ['Run complete with status: success'], { source: 'R/T' })],
    ['run:complete', runComplete({ final_dataclip_id: outB.output_dataclip_id, final_state: { data: { a: 1 }, done: true } })],
  ];
  const completed = mock.waitForRun(id, { timeoutMs: 5000 });
  for (const [event, payload] of sequence) {
    const reply = await client.push(topic, event, payload);
    t.is(reply.status, 'ok', `${event}: ${JSON.stringify(reply.response)}`);
    if (event === 'run:start') t.is(mock.getRun(id)?.status, 'started');
  }
  const run = await completed;
  t.like(run, { id, status: 'success', reason: 'success', errorType: null, errorMessage: null, workerName: 'test-worker' });
  t.is(run.finalDataclipId, outB.output_dataclip_id as string);
  t.deepEqual(run.finalState, { data: { a: 1 }, done: true });
  t.deepEqual(
    run.events.map((e) => e.event),
    sequence.map(([event]) => event),
  );
  t.deepEqual(
    run.logs.map((line) => line.message[0]),
    ['Memory limit: 500mb', 'hello from a', 'one', 'two', 'Run complete with status: success'],
  );
  t.true(run.logs.every((line) => line.run_id === id), 'batched lines carry the run id too');
  t.deepEqual(mock.getDataclip(outA.output_dataclip_id as string), { data: { a: 1 } }, 'step outputs are stored as dataclips');
});

test('a log line sent again with its id is stored once, as Lightning does; lines without an id are all kept', async (t) => {
  const mock = await startMock(t);
  mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const { id, topic } = await claimAndJoin(client);
  const line = runLog(id, ['once'], { id: randomUUID() });
  const { run_id: _runId, ...batched } = line;
  for (const [event, payload] of [
    ['run:log', line],
    ['run:log', line],
    ['run:batch_logs', { run_id: id, logs: [batched, { ...batched, id: randomUUID(), message: ['twice'] }] }],
    ['run:log', runLog(id, ['no id'])],
    ['run:log', runLog(id, ['no id'])],
  ] as const) {
    t.is((await client.push(topic, event, payload)).status, 'ok');
  }
  t.deepEqual(
    mock.getRun(id)?.logs.map((stored) => stored.message[0]),
    ['once', 'twice', 'no id', 'no id'],
  );
});

for (const [reason, status] of [
  ['fail', 'failed'],
  ['crash', 'crashed'],
  ['kill', 'killed'],
  ['exception', 'exception'],
] as const) {
  test(`run:complete with reason ${reason} ends the run as ${status} with its error`, async (t) => {
    const mock = await startMock(t);
    const id = mock.enqueueRun(oneJobPlan());
    const client = await connect(t, mock);
    const { topic } = await claimAndJoin(client);
    const completed = new Promise((resolve) => mock.once('run-complete', resolve));
    const reply = await client.push(topic, 'run:complete', { reason, error_type: 'SomeError', error_message: 'it broke' });
    t.is(reply.status, 'ok');
    t.like(await completed, { id, status, reason, errorType: 'SomeError', errorMessage: 'it broke' });
  });
}

test('an invalid step:complete is refused naming the field, and not recorded', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  await client.push(topic, 'step:start', stepStart('only', 's1'));
  const reply = await client.push(topic, 'step:complete', stepComplete('only', 's1', {}, { output_dataclip_id: undefined }));
  t.is(reply.status, 'error');
  t.is(reasonOf(reply.response), 'invalid step:complete payload: output_dataclip_id is required unless output_dataclip_error is set');
  t.deepEqual((reply.response as { errors: unknown }).errors, { output_dataclip_id: ['is required unless output_dataclip_error is set'] });
  t.deepEqual(
    mock.getRun(id)?.events.map((e) => e.event),
    ['step:start'],
  );
});

test('an unknown event on a run channel is refused naming it', async (t) => {
  const mock = await startMock(t);
  mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  const reply = await client.push(topic, 'step:pause', {});
  t.deepEqual(reply, { status: 'error', response: { reason: `unknown event step:pause on ${topic}` } });
});

test('after run:complete, further events on the run are refused', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  t.is((await client.push(topic, 'run:complete', runComplete())).status, 'ok');
  const late = await client.push(topic, 'run:log', runLog(id, ['late']));
  t.deepEqual(late, { status: 'error', response: { reason: `run ${id} has already finished (success)` } });
});

test('a worker socket dropping mid-run marks the run lost', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  await client.push(topic, 'run:start', runStart());
  const completed = mock.waitForRun(id, { timeoutMs: 5000 });
  await client.terminate();
  t.like(await completed, { status: 'lost', reason: 'lost', errorType: 'LostAfterStart' });
});

test('a claimed run whose worker closes before joining it is lost after claim', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  await claimOne(client);
  const completed = mock.waitForRun(id, { timeoutMs: 5000 });
  await client.close();
  t.like(await completed, { status: 'lost', errorType: 'LostAfterClaim' });
});

test('a run that completed is not lost when its socket closes', async (t) => {
  const mock = await startMock(t);
  const id = mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  const { topic } = await claimAndJoin(client);
  await client.push(topic, 'run:complete', runComplete());
  const disconnected = new Promise((resolve) => mock.once('disconnect', resolve));
  await client.terminate();
  await disconnected;
  t.is(mock.getRun(id)?.status, 'success');
});

test('within lostGraceMs, rejoining the run on a new socket keeps the run going', async (t) => {
  const mock = await startMock(t, { lostGraceMs: 60_000 });
  const id = mock.enqueueRun(oneJobPlan());
  const first = await connect(t, mock);
  const { token } = await claimOne(first);
  await first.join(`run:${id}`, { token });
  const disconnected = new Promise((resolve) => mock.once('disconnect', resolve));
  await first.terminate();
  await disconnected;
  const second = await connect(t, mock);
  t.is((await second.join(`run:${id}`, { token })).status, 'ok');
  t.is((await second.push(`run:${id}`, 'run:complete', runComplete())).status, 'ok');
  t.is(mock.getRun(id)?.status, 'success');
});

test('after lostGraceMs without a rejoin the run is lost', async (t) => {
  const mock = await startMock(t, { lostGraceMs: 50 });
  const id = mock.enqueueRun(oneJobPlan());
  const client = await connect(t, mock);
  await claimAndJoin(client);
  const completed = mock.waitForRun(id, { timeoutMs: 5000 });
  await client.terminate();
  t.like(await completed, { status: 'lost' });
});
