import test from 'ava';
import { executePlan } from '../src/execute/execute-plan.js';
import type { Step } from '../src/plan.js';
import { job, plan, recorder } from './helpers/execute-fixtures.js';

const started = (events: ReturnType<typeof recorder>): string[] => events.of('job-start').map((event) => event.jobId);

test('success and failure edges: the success branch runs when the step succeeds', async (t) => {
  const run = recorder();
  const result = await executePlan(
    plan([
      job('a', 's => ({ ...s, data: { n: 1 } })', { next: { ok: 'on_job_success', bad: 'on_job_failure' } }),
      job('ok', 's => ({ ...s, data: { n: s.data.n + 1 } })'),
      job('bad', 's => ({ ...s, data: { recovered: true } })'),
    ]),
    undefined,
    { notify: run.notify },
  );
  t.deepEqual(started(run), ['a', 'ok']);
  t.deepEqual(result, { data: { n: 2 } });
  t.deepEqual(run.of('job-complete')[0]?.next, ['ok']);
});

test('success and failure edges: the failure branch runs when the step fails, and sees the error', async (t) => {
  const run = recorder();
  const result = (await executePlan(
    plan([
      job('a', 's => { throw new Error("nope") }', { next: { ok: 'on_upstream_success', bad: 'on_upstream_fail' } }),
      job('ok', 's => s'),
      job('bad', 's => ({ ...s, data: { saw: s.errors.a.message } })'),
    ]),
    undefined,
    { notify: run.notify },
  )) as { data: unknown; errors: Record<string, unknown> };
  t.deepEqual(started(run), ['a', 'bad']);
  t.deepEqual(result.data, { saw: 'nope' });
  t.like(result.errors.a, { name: 'JobError', severity: 'fail' });
  t.deepEqual(run.of('job-error')[0]?.next, ['bad']);
});

test('string conditions are expressions of the state and the upstream step id', async (t) => {
  const run = recorder();
  await executePlan(
    plan([
      job('a', 's => ({ ...s, data: { n: 3 } })', {
        next: {
          big: 'state.data.n > 2',
          huge: 'state.data.n > 5',
          fromA: 'upstreamStepId === "a" // a trailing comment does not break the condition',
        },
      }),
      job('big', 's => s'),
      job('huge', 's => s'),
      job('fromA', 's => s'),
    ]),
    undefined,
    { notify: run.notify },
  );
  t.deepEqual(started(run), ['a', 'big', 'fromA']);
});

test('edge forms: false, disabled and empty are never followed; `always`, true and a bare object are', async (t) => {
  const run = recorder();
  await executePlan(
    plan([
      job('a', 's => s', {
        next: {
          off: false,
          disabled: { condition: 'true', disabled: true },
          empty: '',
          always: 'always',
          yes: true,
          bare: { label: 'no condition' },
          labelled: { condition: 'state.data.x === undefined', label: 'x missing' },
        },
      }),
      ...['off', 'disabled', 'empty', 'always', 'yes', 'bare', 'labelled'].map((id) => job(id, 's => s')),
    ]),
    undefined,
    { notify: run.notify },
  );
  t.deepEqual(started(run), ['a', 'always', 'yes', 'bare', 'labelled']);
});

test('edge conditions cannot evaluate strings as code', async (t) => {
  const run = recorder();
  await t.throwsAsync(
    executePlan(plan([job('a', 's => s', { next: { b: 'eval("true")' } }), job('b', 's => s')]), undefined, {
      notify: run.notify,
    }),
    { name: 'EdgeConditionError', message: /a->b.*Code generation from strings disallowed/ },
  );
});

test('a condition that does not compile fails validation, naming the edge, before anything runs', async (t) => {
  const run = recorder();
  const error = await t.throwsAsync(
    executePlan(plan([job('a', 's => s', { next: { b: 'state.data.n >' } }), job('b', 's => s')]), undefined, {
      notify: run.notify,
    }),
    { name: 'ValidationError', message: /Failed to compile edge condition a->b/ },
  );
  t.like(error, { severity: 'crash' });
  t.deepEqual(run.events, []);
});

test('a condition that throws crashes the plan with an EdgeConditionError', async (t) => {
  const run = recorder();
  const error = await t.throwsAsync(
    executePlan(plan([job('a', 's => s', { next: { b: 'state.nothing.here' } }), job('b', 's => s')]), undefined, {
      notify: run.notify,
    }),
    { name: 'EdgeConditionError', message: /a->b/ },
  );
  t.like(error, { severity: 'crash' });
  t.deepEqual(started(run), ['a']);
  t.like(run.of('job-error')[0], { jobId: 'a', error: { name: 'EdgeConditionError' } });
});

test('steps run one at a time, first in first out', async (t) => {
  const run = recorder();
  await executePlan(
    plan([
      job('a', 's => s', { next: { b: true, c: true } }),
      job('b', 's => s', { next: { d: true } }),
      job('c', 's => s'),
      job('d', 's => s'),
    ]),
    undefined,
    { notify: run.notify },
  );
  const order = run.events.flatMap((event) => ('jobId' in event ? [`${event.type}:${event.jobId}`] : []));
  t.deepEqual(order, [
    'job-start:a',
    'job-complete:a',
    'job-start:b',
    'job-complete:b',
    'job-start:c',
    'job-complete:c',
    'job-start:d',
    'job-complete:d',
  ]);
});

test("each step's start and end are told in the run's log: its name, how long it took and the memory after it", async (t) => {
  const run = recorder();
  await t.throwsAsync(
    executePlan(
      plan([
        job('a', 's => s', { name: 'first', next: { b: true } }),
        job('b', 's => { throw new ReferenceError("nope"); }'),
      ]),
      undefined,
      { notify: run.notify },
    ),
  );
  const lines = run.of('log').filter((event) => event.source === 'R/T');
  t.true(lines.every((event) => event.level === 'info'));
  const text = lines.map((event) => String(event.message[0]));
  t.is(text[0], 'Starting step first');
  t.regex(text[1]!, /^first completed in \d+\.\d{3}s$/);
  t.regex(text[2]!, /^Memory after first: \d+ MB of heap in use, \d+ MB resident$/);
  t.is(text[3], 'Starting step b');
  t.regex(text[4]!, /^b failed in \d+\.\d{3}s$/);
  const order = run.events.map((event) => (event.type === 'log' ? String(event.message[0]).split(' ')[0] : event.type));
  t.deepEqual(order.slice(0, 5), ['Starting', 'job-start', 'first', 'Memory', 'job-complete']);
});

test('a step reached twice runs twice, and its results are keyed id and id-1', async (t) => {
  const result = await executePlan(
    plan([
      job('a', 's => s', { next: { b: true, c: true } }),
      job('b', 's => ({ ...s, data: { via: "b" } })', { next: { d: true } }),
      job('c', 's => ({ ...s, data: { via: "c" } })', { next: { d: true } }),
      job('d', 's => s'),
    ]),
  );
  t.deepEqual(result, { d: { data: { via: 'b' } }, 'd-1': { data: { via: 'c' } } });
});

test('the result: one leaf gives its state, several give an object by step id, none gives undefined', async (t) => {
  const branches = (first: string, second: string): Step[] => [
    { id: 'trigger', next: { x: true, y: true } },
    job('x', first),
    job('y', second),
  ];
  t.deepEqual(await executePlan(plan(branches('s => ({ x: 1 })', 's => ({ y: 2 })'))), {
    x: { x: 1 },
    y: { y: 2 },
  });
  t.deepEqual(await executePlan(plan(branches('s => ({ x: 1 })', 's => undefined'))), { x: 1 });
  t.is(await executePlan(plan(branches('s => null', 's => undefined'))), undefined);
});

test('several leaves leave out the empty ones, so a state fed back to its workflow does not grow', async (t) => {
  const cron: Step[] = [
    { id: 'trigger', next: { a: true } },
    job('a', 's => ({ data: { cursor: (s.data?.cursor ?? s.keep?.data?.cursor ?? 0) + 1 } })', { next: { keep: true, empty: true, blank: true } }),
    job('keep', 's => s'),
    job('empty', 's => ({})'),
    job('blank', 's => ({ data: {} })'),
  ];
  let state: unknown = {};
  const sizes: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    state = await executePlan(plan(cron), state);
    sizes.push(JSON.stringify(state).length);
  }
  t.deepEqual(state, { keep: { data: { cursor: 5 } } });
  t.is(new Set(sizes).size, 1);
});

test('a trigger passes its input through without events; the default input is empty', async (t) => {
  const run = recorder();
  const passed = await executePlan(plan([{ id: 'trigger' }]), { data: { x: 1 } }, { notify: run.notify });
  t.deepEqual(passed, { data: { x: 1 } });
  t.deepEqual(run.events, []);
  t.deepEqual(await executePlan(plan([{ id: 'trigger' }])), { data: {}, configuration: {} });
});

test('the start step is options.start, else the first step', async (t) => {
  const run = recorder();
  await executePlan(plan([job('a', 's => s'), job('b', 's => s')], { start: 'b' }), undefined, { notify: run.notify });
  t.deepEqual(started(run), ['b']);
});

test('steps without an id are named job-1, job-2, skipping ids already taken', async (t) => {
  const run = recorder();
  const steps = [
    { ...job('', 's => s'), next: { 'job-1': true } },
    job('job-1', 's => s', { next: { 'job-3': true } }),
    job('', 's => s'),
  ];
  await executePlan(plan(steps), undefined, { notify: run.notify });
  t.deepEqual(started(run), ['job-2', 'job-1', 'job-3']);
});

const invalid: Array<[string, Step[], string | undefined, RegExp]> = [
  ['no steps', [], undefined, /no steps/],
  ['a missing start step', [job('a', 's => s')], 'nope', /Could not find start step: nope/],
  [
    'an edge to a missing step',
    [job('a', 's => s', { next: { ghost: true } })],
    undefined,
    /Cannot find step "ghost".*"a"/,
  ],
  [
    'a cycle',
    [
      job('a', 's => s', { next: { b: true } }),
      job('b', 's => s', { next: { c: true } }),
      job('c', 's => s', { next: { a: 'false' } }),
    ],
    undefined,
    /Circular dependency: a -> b -> c -> a/,
  ],
  [
    'a step that is its own next step',
    [job('a', 's => s', { next: { a: true } })],
    undefined,
    /Circular dependency: a -> a/,
  ],
  ['duplicate step ids', [job('a', 's => s'), job('a', 's => s')], undefined, /Two steps have the id "a"/],
];

for (const [what, steps, start, message] of invalid) {
  test(`validation refuses ${what} before anything runs`, async (t) => {
    const run = recorder();
    const error = await t.throwsAsync(executePlan(plan(steps, { start }), undefined, { notify: run.notify }), {
      name: 'ValidationError',
      message,
    });
    t.like(error, { severity: 'crash' });
    t.deepEqual(run.events, []);
  });
}
