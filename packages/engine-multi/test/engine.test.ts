import path from 'node:path';
import test from 'ava';
import { fixtures } from '@fleet/local-registry';
import { createEngine, type EnginePayload } from '../src/index.js';
import { final, planOf, runPlan } from './helpers/run-plan.js';
import { sharedEngine } from './helpers/shared-engine.js';
import { tempDir } from './helpers/temp-dir.js';

// Real run processes, real adaptors installed from the local registry. One
// engine serves every test, which is itself the test that it survives
// timeouts, OOMs and exits and keeps serving.
const JOBS = fixtures.languageJobs;

const engine = sharedEngine({ memoryLimitMb: 200 });

test.serial('a multi-step plan follows success and failure edges and reports every step', async (t) => {
  const plan = planOf(JOBS, [
    { id: 'load', expression: "setData({ n: 1 });", next: { double: { condition: 'on_job_success' }, rescue: { condition: 'on_job_failure' } } },
    { id: 'double', expression: 'fn(s => ({ ...s, data: { n: s.data.n * 2 } }));\nfail("upstream said no");', next: { rescue: 'on_job_failure' } },
    { id: 'rescue', expression: 'fn(s => ({ ...s, data: { ...s.data, rescued: true } }));' },
  ]);
  const events = await runPlan(engine(), plan);
  const names = events.map((event) => event.name).filter((name) => !name.startsWith('autoinstall') && name !== 'workflow-log');
  t.deepEqual(names, ['workflow-start', 'job-start', 'job-complete', 'job-start', 'job-error', 'job-start', 'job-complete', 'workflow-complete']);
  const jobError = events.find((event) => event.name === 'job-error')?.payload;
  t.like(jobError, { jobId: 'double', next: ['rescue'], error: { name: 'AdaptorError', severity: 'fail', message: 'upstream said no' } });
  const done = final(events)?.payload;
  t.like(done, { state: { data: { n: 2, rescued: true }, errors: { double: { name: 'AdaptorError' } } } });
  t.true(typeof done?.duration === 'number');
  t.deepEqual(events.find((event) => event.name === 'workflow-start')?.payload.versions, {
    node: process.versions.node,
    '@fleet-fixtures/language-jobs': ['1.0.0'],
  });
  t.true(events.every((event) => event.payload.workflowId === plan.id));
});

test.serial('lazy state and .then on an operation work', async (t) => {
  const plan = planOf(JOBS, [{ id: 'a', expression: 'setData($.data.input);\nfn(s => s).then(s => ({ ...s, then: true }));' }]);
  const events = await runPlan(engine(), plan, { data: { input: { x: 42 } } });
  t.like(final(events)?.payload, { state: { data: { x: 42 }, then: true } });
});

test.serial('credentials are fetched by the engine, given to the job and removed from its output', async (t) => {
  const seen: string[] = [];
  const plan = planOf(JOBS, [{ id: 'a', configuration: 'cred-1', expression: 'fn(s => ({ ...s, data: { user: s.configuration.user } }));' }]);
  const events = await runPlan(engine(), plan, undefined, {
    resolvers: { credential: async (id) => (seen.push(id), { user: 'ada', password: 'secret' }) },
  });
  t.deepEqual(seen, ['cred-1']);
  const state = final(events)?.payload.state as Record<string, unknown>;
  t.deepEqual(state.data, { user: 'ada' });
  t.false('configuration' in state);
});

test.serial('a failing credential fails the run before anything executes', async (t) => {
  const plan = planOf(JOBS, [{ id: 'a', configuration: 'cred-x', expression: 'fn(s => s);' }]);
  const events = await runPlan(engine(), plan, undefined, { resolvers: { credential: async () => Promise.reject(new Error('403')) } });
  t.like(final(events), { name: 'workflow-error', payload: { type: 'CredentialLoadError', message: 'Failed to load credential cred-x: 403' } });
  t.false(events.some((event) => event.name === 'job-start'));
});

for (const [label, expression, expected, continues] of [
  ['a thrown Error', "fn(() => { throw new Error('nope'); });", { name: 'JobError', severity: 'fail' }, true],
  ['a TypeError', 'fn(s => s.missing.deeper);', { name: 'RuntimeError', severity: 'fail' }, true],
  ['a ReferenceError', 'fn(s => notDefinedAnywhere);', { name: 'RuntimeCrash', severity: 'crash' }, false],
  ['process.exit in job code (no process in the sandbox)', 'fn(s => process.exit(1));', { name: 'RuntimeCrash', severity: 'crash' }, false],
  ['eval', "fn(s => eval('1 + 1'));", { name: 'SecurityError', severity: 'kill' }, false],
] as const) {
  test.serial(`a job that throws ${label}: ${expected.name} (${expected.severity})`, async (t) => {
    const plan = planOf(JOBS, [
      { id: 'a', expression, next: { after: 'true' } },
      { id: 'after', expression: 'fn(s => ({ ...s, after: true }));' },
    ]);
    const events = await runPlan(engine(), plan);
    t.like(events.find((event) => event.name === 'job-error')?.payload, { jobId: 'a', error: expected });
    if (continues) t.like(final(events), { name: 'workflow-complete', payload: { state: { after: true } } });
    else t.like(final(events), { name: 'workflow-error', payload: { type: expected.name, severity: expected.severity } });
  });
}

test.serial('a job that loops forever is killed at the timeout and reported', async (t) => {
  const events = await runPlan(engine(), planOf(JOBS, [{ id: 'a', expression: 'fn(s => { for (;;) {} });' }]), undefined, { runTimeoutMs: 1500 });
  t.like(final(events), { name: 'workflow-error', payload: { type: 'TimeoutError', severity: 'kill' } });
});

test.serial('a job that allocates until it runs out of memory is reported as OOM', async (t) => {
  const expression = 'fn(s => { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(Math.random())); });';
  const events = await runPlan(engine(), planOf(JOBS, [{ id: 'a', expression }]), undefined, { memoryLimitMb: 64 });
  t.like(final(events), { name: 'workflow-error', payload: { type: 'OOMError', severity: 'kill' } });
});

test.serial('adaptor code that calls process.exit ends the run with an ExitError', async (t) => {
  const events = await runPlan(engine(), planOf(JOBS, [{ id: 'a', expression: 'exit(3);' }]));
  t.like(final(events), { name: 'workflow-error', payload: { type: 'ExitError' } });
  t.regex(String(final(events)?.payload.message), /exit code 3/);
});

test.serial('after all that the engine keeps serving, each run in a process of its own', async (t) => {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await runPlan(engine(), planOf(JOBS, [{ id: 'a', expression: `log('adaptor says ${i}');\nfn(s => { console.log('job says', ${i}); return { ...s, i: ${i} }; });` }])));
  for (const [i, events] of runs.entries()) {
    t.like(final(events), { name: 'workflow-complete', payload: { state: { i } } });
    const logs = events
      .filter((event) => event.name === 'workflow-log' && event.payload.source !== 'R/T')
      .map((event) => [event.payload.source, event.payload.message]);
    t.deepEqual(logs, [
      ['ADA', [`adaptor says ${i}`]],
      ['JOB', ['job says', i]],
    ]);
  }
  const threads = new Set(runs.map((events) => final(events)?.payload.threadId));
  t.is(threads.size, runs.length, 'no two runs share a process');
});

test.serial('a non-whitelisted adaptor fails the run with a clear error', async (t) => {
  const events = await runPlan(engine(), planOf('language-fixture@1.1.0', [{ id: 'a', expression: 'fn(s => s);' }]));
  t.like(final(events), { name: 'workflow-error', payload: { type: 'AutoinstallError' } });
  t.regex(String(final(events)?.payload.message), /language-fixture@1\.1\.0/);
});

test.serial('destroy() kills in-flight runs and reports them', async (t) => {
  const root = await tempDir(t);
  const own = createEngine({ repoDir: path.join(root, 'repo'), cacheDir: path.join(root, 'cache'), whitelist: [/^@fleet-fixtures\//], capacity: 1 });
  const emitter = own.execute(planOf(JOBS, [{ id: 'a', expression: 'fn(s => { for (;;) {} });' }]));
  const ended = new Promise<EnginePayload<'workflow-error'>>((resolve) => emitter.once('workflow-error', resolve));
  await new Promise((resolve) => emitter.once('job-start', resolve));
  await own.destroy();
  const error = await ended;
  t.is(error.type, 'ExitError');
  t.regex(String(error.message), /destroyed/);
});

test.serial('listen() and then an execute() that throws leaves nothing registered for the run', (t) => {
  const before = engine().trackedRuns;
  engine().listen('never-runs', { 'workflow-complete': () => undefined });
  t.is(engine().trackedRuns, before + 1);
  t.throws(() => engine().execute({ id: 'never-runs', workflow: {} } as never), { instanceOf: TypeError, message: /no workflow\.steps/ });
  t.is(engine().trackedRuns, before);
});
