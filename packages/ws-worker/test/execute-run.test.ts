import test from 'ava';
import { silentReporter } from '../src/util/error-reporter.js';
import esmock from 'esmock';
import type { Socket } from 'phoenix';
import type * as ExecuteRunModule from '../src/api/execute-run.js';
import { LightningReplyError, LightningTimeoutError, RunTokenError, ShutdownError } from '../src/errors.js';
import type { RunResult } from '../src/util/metrics.js';
import { settle } from './helpers/fake-clock.js';
import { FakeChannel, type Responder } from './helpers/fake-channel.js';
import { silentLogger } from './helpers/logger.js';

// One run's lifecycle against a fake run channel (the real run-channel code on
// top of it) and a fake engine: the failure paths that a real Lightning rarely
// takes, each of which must end that run and only that run.

const RUN = 'run-1';
const ADAPTOR = '@fleet-fixtures/language-jobs@1.0.0';

const lightningPlan = (overrides: Record<string, unknown> = {}) => ({
  id: RUN,
  dataclip_id: 'd1',
  jobs: [{ id: 'a', adaptor: ADAPTOR, body: 'fn(s => s)', credential_id: 'c1' }],
  ...overrides,
});

const bytes = (value: unknown): ArrayBuffer => new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer;

/** Replies as a working Lightning would, with `overrides` for some events. */
const lightning =
  (overrides: Record<string, () => Promise<unknown>> = {}): Responder =>
  (event) => {
    const override = overrides[event];
    if (override) return override();
    if (event === 'fetch:plan') return Promise.resolve(lightningPlan());
    if (event === 'fetch:dataclip') return Promise.resolve(bytes({ data: { input: true } }));
    if (event === 'fetch:credential') return Promise.resolve({ user: 'ada' });
    return Promise.resolve(null);
  };

class FakeEngine {
  handlers: Record<string, (payload: Record<string, unknown>) => void> = {};
  executed: Array<{ plan: { id: string }; input: unknown; options: Record<string, unknown> }> = [];
  throwOnExecute: Error | undefined;

  listen(_runId: string, handlers: Record<string, (payload: Record<string, unknown>) => void>): void {
    this.handlers = handlers;
  }

  execute(plan: { id: string }, input: unknown, options: Record<string, unknown>): void {
    if (this.throwOnExecute) throw this.throwOnExecute;
    this.executed.push({ plan, input, options });
  }

  grantLogLines(): void {}

  emit(name: string, payload: Record<string, unknown> = {}): void {
    this.handlers[name]?.({ workflowId: RUN, time: BigInt(Date.now()) * 1_000_000n, ...payload });
  }
}

async function runWith(channel: FakeChannel, options: { verifyToken?: () => Promise<void>; engine?: FakeEngine } = {}) {
  const { startRun } = await esmock<typeof ExecuteRunModule>('../src/api/execute-run.ts', {}, { '../src/channels/channel.ts': { joinChannel: () => channel } });
  const engine = options.engine ?? new FakeEngine();
  const results: RunResult[] = [];
  let left = false;
  channel.leave = async () => void (left = true);
  const handle = startRun(
    { id: RUN, token: 'run-token' },
    {
      socket: {} as Socket,
      engine: engine as unknown as ExecuteRunModule.RunDeps['engine'],
      verifyToken: options.verifyToken,
      messageTimeoutMs: 1000,
      limits: { memoryLimitMb: 500, runTimeoutMs: 300_000, payloadLimitMb: 10, logPayloadLimitMb: 1 },
      batchLogs: undefined,
      collections: undefined,
      workerVersion: '0.0.0',
      metrics: { runCompleted: (result) => void results.push(result), autoinstall: () => undefined },
      reporter: silentReporter,
      logger: silentLogger(),
    },
  );
  const complete = () => channel.sent.find((item) => item.event === 'run:complete')?.payload;
  return { handle, engine, results, complete, left: () => left };
}

for (const [label, failure, message] of [
  ['an error reply', () => Promise.reject(new LightningReplyError('fetch:plan', { reason: 'not_found' })), /^Failed to fetch the plan of run run-1: \[fetch:plan\] not_found$/],
  ['no reply in time', () => Promise.reject(new LightningTimeoutError('fetch:plan', 1000)), /no reply within 1s/],
] as const) {
  test(`fetch:plan with ${label}: the run ends with an exception, reported, and its channel is left`, async (t) => {
    const channel = new FakeChannel(lightning({ 'fetch:plan': failure }));
    const { handle, engine, results, complete, left } = await runWith(channel);
    await handle.done;
    t.like(complete(), { reason: 'exception', error_type: 'FetchPlanError' });
    t.regex(String(complete()?.error_message), message);
    t.deepEqual(channel.pushed, ['fetch:plan', 'run:log', 'run:complete']);
    t.is(engine.executed.length, 0);
    t.true(left());
    t.deepEqual(results, ['exception']);
  });
}

test('a malformed plan ends the run with InvalidPlanError before anything runs', async (t) => {
  const channel = new FakeChannel(lightning({ 'fetch:plan': async () => lightningPlan({ jobs: [{ id: 'a', body: 1 }] }) }));
  const { handle, engine, complete } = await runWith(channel);
  await handle.done;
  t.like(complete(), { reason: 'exception', error_type: 'InvalidPlanError' });
  t.regex(String(complete()?.error_message), /jobs\[0\]\.body must be a string/);
  t.is(engine.executed.length, 0);
});

test("a plan for another run is refused: the worker only runs what it claimed", async (t) => {
  const channel = new FakeChannel(lightning({ 'fetch:plan': async () => lightningPlan({ id: 'someone-else' }) }));
  const { handle, complete } = await runWith(channel);
  await handle.done;
  t.like(complete(), { reason: 'exception', error_type: 'InvalidPlanError' });
});

test('an input dataclip that cannot be fetched ends the run with DataclipError', async (t) => {
  const channel = new FakeChannel(lightning({ 'fetch:dataclip': () => Promise.reject(new LightningReplyError('fetch:dataclip', { reason: 'not_found' })) }));
  const { handle, engine, complete } = await runWith(channel);
  await handle.done;
  t.like(complete(), { reason: 'exception', error_type: 'DataclipError', error_message: 'Failed to load dataclip d1: [fetch:dataclip] not_found' });
  t.is(engine.executed.length, 0);
});

test('a run token that fails verification: the run is not executed, and Lightning is told why', async (t) => {
  const channel = new FakeChannel(lightning());
  const verifyToken = () => Promise.reject(new RunTokenError(RUN, 'signature verification failed'));
  const { handle, engine, complete, results } = await runWith(channel, { verifyToken });
  await handle.done;
  t.false(channel.pushed.includes('fetch:plan'));
  t.is(engine.executed.length, 0);
  t.like(complete(), { reason: 'exception', error_type: 'RunTokenError' });
  t.deepEqual(results, ['exception']);
});

test('a refused channel join: nothing can be reported, the run is counted lost and the worker moves on', async (t) => {
  const refused = Promise.reject(new LightningReplyError('phx_join', { reason: 'unauthorized' }));
  const channel = new FakeChannel(lightning(), refused);
  channel.drop();
  const { handle, results } = await runWith(channel);
  await handle.done;
  t.deepEqual(channel.pushed, []);
  t.deepEqual(results, ['lost']);
});

test('a good run: the engine gets the converted plan, the decoded input and a credential resolver that asks Lightning', async (t) => {
  const channel = new FakeChannel(lightning({ 'fetch:plan': async () => lightningPlan({ options: { run_timeout_ms: 1500 } }) }));
  const { handle, engine, complete, results, left } = await runWith(channel);
  await settle();
  const [execution] = engine.executed;
  t.like(execution, { plan: { id: RUN }, input: { data: { input: true } }, options: { runTimeoutMs: 1500 } });
  const resolve = (execution?.options.resolvers as { credential: (id: string) => Promise<unknown> }).credential;
  t.deepEqual(await resolve('c1'), { user: 'ada' });
  t.deepEqual(channel.sent.find((item) => item.event === 'fetch:credential')?.payload, { id: 'c1' });
  engine.emit('workflow-start');
  engine.emit('workflow-complete', { state: { data: {} } });
  await handle.done;
  t.like(complete(), { reason: 'success', final_state: { data: {} } });
  t.true(left());
  t.deepEqual(results, ['success']);
});

test("a plan's memory limit is capped by the worker's, and a timeout past what a timer holds by that", async (t) => {
  const options = { run_memory_limit_mb: 1200, run_timeout_ms: 3_000_000_000 };
  const channel = new FakeChannel(lightning({ 'fetch:plan': async () => lightningPlan({ options }) }));
  const { engine } = await runWith(channel);
  await settle();
  t.like(engine.executed[0]?.options, { memoryLimitMb: 500, runTimeoutMs: 2 ** 31 - 1 });
});

test('an engine that refuses the plan outright ends the run with an exception', async (t) => {
  const engine = new FakeEngine();
  engine.throwOnExecute = new TypeError('Plan run-1 has no workflow.steps array');
  const { handle, complete } = await runWith(new FakeChannel(lightning()), { engine });
  await handle.done;
  t.like(complete(), { reason: 'exception', error_type: 'TypeError' });
});

test('killed while it executes: reported as kill at once; what the engine says afterwards is ignored', async (t) => {
  const channel = new FakeChannel(lightning());
  const { handle, engine, complete, results } = await runWith(channel);
  await settle();
  engine.emit('workflow-start');
  engine.emit('job-start', { jobId: 'a' });
  handle.kill(new ShutdownError(5000));
  engine.emit('workflow-error', { type: 'ExitError', message: 'the engine was destroyed', severity: 'crash' });
  await handle.done;
  t.like(complete(), { reason: 'kill', error_type: 'ShutdownError' });
  t.like(channel.sent.find((item) => item.event === 'step:complete')?.payload, { job_id: 'a', reason: 'kill' });
  t.is(channel.sent.filter((item) => item.event === 'run:complete').length, 1);
  t.deepEqual(results, ['kill']);
});

test('killed while Lightning has not answered fetch:plan: reported as kill, never executed', async (t) => {
  const channel = new FakeChannel(lightning({ 'fetch:plan': () => new Promise(() => undefined) }));
  const { handle, engine, complete } = await runWith(channel);
  await settle();
  handle.kill(new ShutdownError(5000));
  await handle.done;
  t.like(complete(), { reason: 'kill', error_type: 'ShutdownError' });
  t.is(engine.executed.length, 0);
});

test('abandoned while Lightning is unreachable: done settles and the run counts as lost', async (t) => {
  const channel = new FakeChannel(lightning());
  const { handle, engine, results } = await runWith(channel);
  await settle();
  channel.drop();
  engine.emit('workflow-start');
  engine.emit('workflow-complete', { state: {} });
  await settle();
  handle.abandon('the worker shut down');
  await handle.done;
  t.deepEqual(results, ['lost']);
  t.false(channel.pushed.includes('run:complete'));
});
