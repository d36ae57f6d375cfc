import test from 'ava';
import { executePlan } from '../src/execute/execute-plan.js';
import { job, plan, recorder } from './helpers/execute-fixtures.js';

test('configuration: step over incoming, visible to the job, removed from every output', async (t) => {
  const run = recorder();
  const result = await executePlan(
    plan([
      job('a', 's => ({ ...s, data: { seen: s.configuration } })', {
        configuration: { user: 'step', token: 't' },
        next: { b: true },
      }),
      job('b', 's => ({ ...s, data: { ...s.data, configurationInB: s.configuration } })'),
    ]),
    { data: {}, configuration: { user: 'incoming', host: 'h' } },
    { notify: run.notify },
  );
  t.deepEqual(result, { data: { seen: { user: 'step', host: 'h', token: 't' }, configurationInB: {} } });
  for (const event of run.of('job-complete')) t.false('configuration' in (event.state as object));
});

test("the workflow's credentials are under every step's configuration, and never in an output", async (t) => {
  const steps = [
    job('a', 's => ({ ...s, data: { seen: s.configuration } })', { configuration: { user: 'step', collections_token: 'own' }, next: { b: true } }),
    job('b', 's => ({ ...s, data: { ...s.data, inB: s.configuration } })'),
  ];
  const credentials = { collections_token: 'run-token', collections_endpoint: 'http://collections' };
  const result = await executePlan({ ...plan(steps), workflow: { steps, credentials } });
  t.deepEqual(result, {
    data: {
      seen: { user: 'step', collections_token: 'own', collections_endpoint: 'http://collections' },
      inB: credentials,
    },
  });
});

test('statePropsToRemove replaces the default list', async (t) => {
  const result = await executePlan(
    plan([job('a', 's => ({ ...s, secret: 1, kept: 2 })', { configuration: { c: 1 } })]),
    undefined,
    { statePropsToRemove: ['secret'] },
  );
  t.deepEqual(result, { data: {}, configuration: { c: 1 }, kept: 2 });
});

test('the step default state is merged under the incoming state, data key by key', async (t) => {
  const step = job('a', 's => s', { state: { data: { fromDefault: 1, shared: 'default' }, extra: 'default' } });
  t.deepEqual(await executePlan(plan([step]), { data: { shared: 'incoming' } }), {
    data: { fromDefault: 1, shared: 'incoming' },
    extra: 'default',
  });
  t.deepEqual(await executePlan(plan([step]), { data: [1, 2], extra: 'incoming' }), {
    data: [1, 2],
    extra: 'incoming',
  });
});

test('a job works on a copy: its mutations reach neither a sibling branch nor the caller', async (t) => {
  const input = { data: { x: 1 } };
  const result = await executePlan(
    plan([
      { id: 'trigger', next: { mutate: true, read: true } },
      job('mutate', 's => { s.data.x = 99; return s; }'),
      job('read', 's => s'),
    ]),
    input,
  );
  t.deepEqual(result, { mutate: { data: { x: 99 } }, read: { data: { x: 1 } } });
  t.deepEqual(input, { data: { x: 1 } });
});

test('a string configuration is a credential id, loaded through resolveCredential', async (t) => {
  const asked: string[] = [];
  const step = job('a', 's => ({ data: { user: s.configuration.user } })', { configuration: 'cred-1' });
  const result = await executePlan(plan([step]), undefined, {
    resolveCredential: async (id) => {
      asked.push(id);
      return { user: 'from-credential' };
    },
  });
  t.deepEqual(asked, ['cred-1']);
  t.deepEqual(result, { data: { user: 'from-credential' } });
});

test('a credential that cannot be loaded crashes the plan, naming the credential', async (t) => {
  const run = recorder();
  const steps = [job('a', 's => s', { configuration: 'cred-9', next: { b: true } }), job('b', 's => s')];
  const error = await t.throwsAsync(
    executePlan(plan(steps), undefined, {
      notify: run.notify,
      resolveCredential: async () => Promise.reject(new Error('vault unreachable')),
    }),
    { name: 'CredentialError', message: /"cred-9".*vault unreachable/ },
  );
  t.like(error, { severity: 'crash' });
  t.deepEqual(
    run.events.filter((event) => event.type !== 'log').map((event) => event.type),
    ['job-start', 'job-error'],
  );
  await t.throwsAsync(executePlan(plan(steps)), { name: 'CredentialError', message: /no credential resolver/ });
});

test('an output larger than stateLimitMb kills the plan; a smaller one passes', async (t) => {
  const big = 's => ({ data: { text: "x".repeat(1.5 * 1024 * 1024) } })';
  const run = recorder();
  const error = await t.throwsAsync(
    executePlan(plan([job('a', big, { next: { b: true } }), job('b', 's => s')]), undefined, {
      notify: run.notify,
      stateLimitMb: 1,
    }),
    { name: 'StateTooLargeError', message: /State exceeds the limit of 1mb/ },
  );
  t.like(error, { severity: 'kill' });
  t.like(run.of('job-error')[0], { jobId: 'a', error: { name: 'StateTooLargeError', severity: 'kill' } });
  t.deepEqual(run.of('job-start').length, 1);
  t.truthy(await executePlan(plan([job('a', big)]), undefined, { stateLimitMb: 2 }));
});

test('a stateLimitMb that is not a positive number is refused', async (t) => {
  await t.throwsAsync(executePlan(plan([job('a', 's => s')]), undefined, { stateLimitMb: 0 }), {
    name: 'ValidationError',
    message: /stateLimitMb/,
  });
});

test('outputs are plain JSON: functions dropped, circular references replaced', async (t) => {
  const result = await executePlan(
    plan([job('a', 's => { const data = { f: () => 1, u: undefined, n: 1 }; data.self = data; return { data }; }')]),
  );
  t.deepEqual(result, { data: { n: 1, self: '[Circular]' } });
});

test('an operation that returns nothing passes an empty state on, with a warning', async (t) => {
  const run = recorder();
  const result = await executePlan(plan([job('a', 's => undefined, s => ({ ...s, got: Object.keys(s) })')]), undefined, {
    notify: run.notify,
  });
  t.deepEqual(result, { got: [] });
  const warning = run.of('log').find((event) => event.level === 'warn');
  t.like(warning, { source: 'R/T' });
  t.regex(String(warning?.message[0]), /Operation 1 returned no state/);
});

test('a job whose last operation returns nothing has no output, and is no leaf', async (t) => {
  const run = recorder();
  const steps = [job('a', 's => s, s => null', { next: { b: 'true' } }), job('b', 's => s')];
  const result = await executePlan(plan(steps), undefined, { notify: run.notify });
  t.is(run.of('job-complete')[0]?.state, undefined);
  t.true(run.of('log').some((event) => /Step "a" returned no state/.test(String(event.message[0]))));
  t.deepEqual(result, { data: {} });
});

test('errors of failed steps are carried downstream and into the final state', async (t) => {
  const result = await executePlan(
    plan([
      job('a', 's => { throw new Error("first") }', { next: { b: 'always' } }),
      job('b', 's => ({ data: { fresh: true } })', { next: { c: 'always' } }),
      job('c', 's => s'),
    ]),
  );
  t.like(result, { data: { fresh: true }, errors: { a: { name: 'JobError', message: 'first' } } });
});
