import test from 'ava';
import type { EngineEventName, EngineEvents, EnginePayload, ExecutionPlan } from '@fleet/engine-multi';
import { createRunRelay, type RunRelay } from '../src/events/run-relay.js';
import { RunState } from '../src/events/run-state.js';
import type { RunEventName, RunEvents } from '@fleet/lightning-protocol';
import type { AutoinstallEvent } from '../src/util/metrics.js';

// Engine events in, Lightning events out: the mapping of one run, without a socket.

const RUN = 'run-1';
const NS = 1_700_000_000_123_456_789n;
const MICROS = '1700000000123456';

const plan: ExecutionPlan = {
  id: RUN,
  options: { start: 't' },
  workflow: {
    steps: [
      { id: 't', next: { a: true } },
      { id: 'a', expression: 'fn(s => s)', next: { b: true } },
      { id: 'b', expression: 'fn(s => s)' },
    ],
  },
};

interface Sent {
  event: RunEventName;
  payload: Record<string, unknown>;
}

function relayOf(options: { outputDataclips?: boolean; dataclipId?: string } = {}) {
  const sent: Sent[] = [];
  const installs: AutoinstallEvent[] = [];
  const relay: RunRelay = createRunRelay({
    runId: RUN,
    state: new RunState(plan, options.dataclipId ?? 'd1'),
    limits: { memoryLimitMb: 500, runTimeoutMs: 300_000, payloadLimitMb: 10, logPayloadLimitMb: 1 },
    sink: {
      send<E extends RunEventName>(event: E, payload: RunEvents[E]) {
        sent.push({ event, payload: payload as unknown as Record<string, unknown> });
      },
    },
    workerVersion: '9.9.9',
    outputDataclips: options.outputDataclips ?? true,
    onAutoinstall: (event) => installs.push(event),
  });
  // Events as the engine types them; a test gives only the fields it is about.
  const emit = <E extends EngineEventName>(name: E, payload: Partial<EngineEvents[E]> = {}): void =>
    (relay.handlers[name] as ((event: EnginePayload<E>) => void) | undefined)?.({ workflowId: RUN, time: NS, ...payload } as EnginePayload<E>);
  const of = (event: RunEventName): Array<Record<string, unknown>> => sent.filter((item) => item.event === event).map((item) => item.payload);
  return { relay, sent, installs, emit, of };
}

const mem = { job: 1000, system: 2000 };

test('a successful run: every engine event becomes its Lightning event, in order', async (t) => {
  const { relay, sent, emit, of } = relayOf();
  emit('workflow-start', { threadId: 42, versions: { node: '20.1.0', '@fleet-fixtures/language-jobs': ['1.0.0'] } });
  emit('job-start', { jobId: 'a', threadId: 42 });
  emit('workflow-log', { level: 'log', source: 'JOB', message: ['hello', { n: 1 }] });
  emit('job-complete', { jobId: 'a', state: { data: { n: 1 } }, duration: 12.6, next: ['b'], mem, threadId: 42 });
  emit('job-start', { jobId: 'b', threadId: 42 });
  emit('job-complete', { jobId: 'b', state: { data: { n: 2 } }, duration: 3, next: [], mem, threadId: 42 });
  emit('workflow-complete', { threadId: 42, state: { data: { n: 2 } }, duration: 20 });

  t.deepEqual(
    sent.map((item) => item.event),
    ['run:start', ...Array(5).fill('run:log'), 'step:start', 'run:log', 'step:complete', 'step:start', 'step:complete', 'run:log', 'run:complete'],
  );
  t.deepEqual(of('run:start')[0], {
    versions: { worker: '9.9.9', node: '20.1.0', '@fleet-fixtures/language-jobs': ['1.0.0'] },
    timestamp: MICROS,
  });
  const [banner, ...rest] = of('run:log');
  const limits = rest.slice(0, 4);
  const [jobLog, status] = rest.slice(4);
  t.like(banner, { run_id: RUN, source: 'VER', level: 'info' });
  t.regex(String((banner?.message as string[])[0]), /^Versions:\n {4}▸ worker {4,}9\.9\.9\n/);
  t.deepEqual(
    limits.map((line) => [line.source, line.level, (line.message as string[])[0]]),
    [
      ['RTE', 'info', 'Memory limit: 500mb'],
      ['RTE', 'info', 'Timeout: 300s'],
      ['RTE', 'info', 'Payload limit: 10mb'],
      ['RTE', 'info', 'Log payload limit: 1mb'],
    ],
  );
  const [startA, startB] = of('step:start');
  const [completeA, completeB] = of('step:complete');
  t.deepEqual(jobLog, { id: jobLog?.id, run_id: RUN, message: ['hello', { n: 1 }], source: 'JOB', level: 'info', timestamp: MICROS, step_id: startA?.step_id });
  // Each line has an id of its own, so that Lightning stores a re-sent line once.
  const ids = of('run:log').map((line) => line.id as string);
  t.true(ids.every((id) => /^[0-9a-f-]{36}$/.test(id)));
  t.is(new Set(ids).size, ids.length);
  t.deepEqual(startA, { job_id: 'a', step_id: startA?.step_id, timestamp: MICROS, input_dataclip_id: 'd1' });
  t.deepEqual(completeA, {
    job_id: 'a',
    step_id: startA?.step_id,
    output_dataclip_id: completeA?.output_dataclip_id,
    output_dataclip: '{"data":{"n":1}}',
    reason: 'success',
    error_type: null,
    error_message: null,
    mem,
    duration: 13,
    thread_id: 42,
    timestamp: MICROS,
  });
  t.is(startB?.input_dataclip_id, completeA?.output_dataclip_id, "b's input is a's output");
  t.not(startA?.step_id, startB?.step_id);
  t.like(status, { source: 'R/T', level: 'info', message: ['Run complete with status: success'] });
  t.deepEqual(of('run:complete')[0], {
    reason: 'success',
    error_type: null,
    error_message: null,
    timestamp: MICROS,
    final_state: { data: { n: 2 } },
    final_dataclip_id: completeB?.output_dataclip_id,
  });
  t.deepEqual(await relay.outcome, { reason: 'success', error_type: null, error_message: null });
});

test('a step that fails: step:complete says fail, and a failed leaf fails the run', async (t) => {
  const { relay, emit, of } = relayOf();
  emit('workflow-start');
  emit('job-start', { jobId: 'a' });
  const error = { name: 'AdaptorError', message: 'HTTP 500', severity: 'fail', source: 'runtime' } as const;
  emit('job-error', { jobId: 'a', state: { data: {}, errors: { a: error } }, error, duration: 5, next: [] });
  emit('workflow-complete', { state: { data: {}, errors: { a: error } } });
  const failed = { reason: 'fail', error_type: 'AdaptorError', error_message: 'HTTP 500' };
  t.like(of('step:complete')[0], failed);
  t.false('mem' in (of('step:complete')[0] ?? {}));
  t.like(of('run:complete')[0], failed);
  t.deepEqual(of('run:log').at(-1)?.message, ['Run complete with status: fail\nAdaptorError: HTTP 500']);
  t.deepEqual(await relay.outcome, failed);
});

test('a run killed from outside while a step runs: that step is closed with the reason, then the run', async (t) => {
  const { relay, emit, of, sent } = relayOf();
  emit('workflow-start');
  emit('job-start', { jobId: 'a' });
  emit('workflow-error', { threadId: 42, type: 'TimeoutError', message: 'Run exceeded the timeout', severity: 'kill' });
  const killed = { reason: 'kill', error_type: 'TimeoutError', error_message: 'Run exceeded the timeout' };
  const [interrupted] = of('step:complete');
  t.deepEqual(interrupted, {
    job_id: 'a',
    step_id: of('step:start')[0]?.step_id,
    output_dataclip_id: interrupted?.output_dataclip_id,
    output_dataclip: '{}',
    ...killed,
  });
  t.deepEqual(of('run:complete')[0], killed, 'an error completion carries no state or timestamp');
  t.is(sent.at(-1)?.event, 'run:complete');
  t.deepEqual(await relay.outcome, killed);
});

test('once the worker ended a run, later engine events are ignored', async (t) => {
  const { relay, emit, of } = relayOf();
  emit('workflow-start');
  emit('job-start', { jobId: 'a' });
  const shutdown = { reason: 'kill', error_type: 'ShutdownError', error_message: 'shut down' } as const;
  relay.fail(shutdown);
  emit('workflow-log', { level: 'info', source: 'JOB', message: ['late'] });
  emit('workflow-error', { type: 'ExitError', message: 'the engine was destroyed', severity: 'crash' });
  relay.fail({ reason: 'crash', error_type: 'X', error_message: 'y' });
  t.is(of('run:complete').length, 1);
  t.like(of('step:complete')[0], shutdown);
  t.deepEqual(await relay.outcome, shutdown);
});

test('an error before any step (autoinstall, credentials) ends the run without step events', async (t) => {
  const { relay, emit, sent } = relayOf();
  emit('autoinstall-error', { module: '@x/y', version: '1.0.0', duration: 40, message: 'E404' });
  emit('workflow-error', { type: 'AutoinstallError', message: 'Error installing @x/y@1.0.0', severity: 'exception' });
  t.deepEqual(
    sent.map((item) => item.event),
    ['run:log', 'run:complete'],
  );
  t.is((await relay.outcome).reason, 'exception');
});

test('autoinstall events go to metrics only', (t) => {
  const { emit, sent, installs } = relayOf();
  emit('autoinstall-complete', { module: '@x/y', version: '1.0.0', duration: 300, outcome: 'installed' });
  t.deepEqual(sent, []);
  t.like(installs[0], { name: 'autoinstall-complete', payload: { module: '@x/y', outcome: 'installed', duration: 300 } });
});

test("log lines: each source as it is, console.log as Lightning's info level", (t) => {
  const { emit, of } = relayOf();
  emit('workflow-log', { level: 'warn', source: 'ADA', message: ['from the adaptor'] });
  emit('workflow-log', { level: 'log', source: 'JOB', message: ['from the job', { n: 1 }] });
  emit('workflow-log', { level: 'debug', source: 'R/T', message: ['from the runtime'] });
  t.deepEqual(
    of('run:log').map(({ level, source, message }) => [level, source, message]),
    [
      ['warn', 'ADA', ['from the adaptor']],
      ['info', 'JOB', ['from the job', { n: 1 }]],
      ['debug', 'R/T', ['from the runtime']],
    ],
  );
  t.false('step_id' in (of('run:log')[0] ?? {}), 'no step is running');
});

test('with output dataclips off, step outputs keep their ids but not their bodies', (t) => {
  const { emit, of } = relayOf({ outputDataclips: false });
  emit('job-start', { jobId: 'a' });
  emit('job-complete', { jobId: 'a', state: { data: { secret: 1 } }, duration: 1, next: [], mem });
  const [complete] = of('step:complete');
  t.false('output_dataclip' in (complete ?? {}));
  t.is(typeof complete?.output_dataclip_id, 'string');
});
