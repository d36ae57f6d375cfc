import test from 'ava';
import { defer } from '../src/execute/defer.js';
import { executePlan } from '../src/execute/execute-plan.js';
import type { LinkerEntry } from '../src/plan.js';
import { ADAPTOR, adaptorJob, CJS_ADAPTOR, fixtureAdaptors, job, plan, recorder } from './helpers/execute-fixtures.js';

test('a job imports operations from its ESM adaptor, including lazy-state style ones', async (t) => {
  const linker = await fixtureAdaptors(t);
  const result = await executePlan(
    plan([
      adaptorJob(
        'a',
        linker,
        `setData('n', 1),
         setData('y', state => state.data.n + 1),
         fn(state => ({ ...state, data: { ...state.data, z: state.data.y * 10 } }))`,
      ),
    ]),
  );
  t.deepEqual(result, { data: { n: 1, y: 2, z: 20 } });
});

const cjsJob = (linker: Record<string, LinkerEntry>, reexport: boolean) => ({
  id: 'a',
  linker,
  expression: [
    `import { double } from '${CJS_ADAPTOR}';`,
    reexport ? `export * from '${CJS_ADAPTOR}';` : '',
    'export default [double()];',
  ].join('\n'),
});

test('a CommonJS adaptor that node exposes only as a default export can be imported by name', async (t) => {
  const linker = await fixtureAdaptors(t);
  t.deepEqual(await executePlan(plan([cjsJob(linker, false)]), { data: { n: 21 } }), { data: { n: 42 } });
});

test('an execute export (re-exported from the adaptor) runs the operations', async (t) => {
  const linker = await fixtureAdaptors(t);
  t.deepEqual(await executePlan(plan([cjsJob(linker, true)]), { data: { n: 21 } }), {
    data: { n: 42 },
    viaExecute: true,
  });
});

test('defer from @openfn/runtime runs an operation in its turn and hands its promise to the chain', async (t) => {
  const linker = await fixtureAdaptors(t);
  const result = await executePlan(
    plan([
      {
        id: 'a',
        linker,
        expression: `import { fn, count } from '${ADAPTOR}';
import { defer as _defer } from '@openfn/runtime';
export default [
  _defer(fn(() => { throw new Error('caught') }), p => p.catch(e => ({ data: { caught: e.message } }))),
  count(),
  _defer(count(), p => p.then(s => ({ ...s, data: { ...s.data, seenByChain: s.data.count } }))),
];`,
      },
    ]),
  );
  t.deepEqual(result, { data: { caught: 'caught', count: 2, seenByChain: 2 } });
});

test('defer does not call the operation until its own operation is called', async (t) => {
  let calls = 0;
  const deferred = defer(
    (state) => {
      calls++;
      return state;
    },
    (promise) => promise.then((state) => ({ ...(state as object), chained: true })),
  );
  t.is(calls, 0);
  t.deepEqual(await deferred({ a: 1 }), { a: 1, chained: true });
  t.is(calls, 1);
});

test('defer turns a synchronous throw into a rejection the chain can handle', async (t) => {
  const deferred = defer(
    () => {
      throw new Error('sync');
    },
    (promise) => promise.catch((error: Error) => ({ recovered: error.message })),
  );
  t.deepEqual(await deferred({}), { recovered: 'sync' });
});

test('adaptors are fresh module instances per cache key, shared within a run', async (t) => {
  const linker = await fixtureAdaptors(t);
  const counting = plan([adaptorJob('a', linker, 'count()', { next: { b: true } }), adaptorJob('b', linker, 'count()')]);
  const counts = async (cacheKey?: string, id = 'plan-1') =>
    ((await executePlan({ ...counting, id }, undefined, { cacheKey })) as { data: { count: number } }).data.count;

  t.is(await counts('run-1'), 2, 'the second step of a run sees the first step counting');
  t.is(await counts('run-2'), 2, 'another cache key starts from a fresh module');
  t.is(await counts('run-2'), 4, 'the same cache key shares the module');
  t.is(await counts(undefined, 'plan-7'), 2, 'the plan id is the default cache key');
});

test('job console calls arrive as JOB log events with JSON-safe arguments', async (t) => {
  const run = recorder();
  await executePlan(
    plan([
      job(
        'a',
        `s => {
          const loop = { n: 1 };
          loop.loop = loop;
          console.log('hello', loop, new TypeError('bad'));
          console.warn('careful');
          return s;
        }`,
      ),
    ]),
    undefined,
    { notify: run.notify },
  );
  const logs = run.of('log').filter((event) => event.source === 'JOB');
  t.like(logs[0], {
    level: 'log',
    source: 'JOB',
    message: ['hello', { n: 1, loop: '[Circular]' }, { name: 'TypeError', message: 'bad' }],
  });
  t.like(logs[1], { level: 'warn', source: 'JOB', message: ['careful'] });
  t.regex(logs[0]!.time, /^\d{19}$/);
  t.true(BigInt(logs[1]!.time) >= BigInt(logs[0]!.time));
});

test('job code cannot replace the sandbox console for the operations after it', async (t) => {
  const run = recorder();
  // Node 26 refuses the assignment with a TypeError, older lines ignore it: either way it must not stick.
  const operations =
    's => { try { console = null; } catch {} return s; }, s => { console.info("still here"); return s; }';
  await executePlan(plan([job('a', operations)]), undefined, { notify: run.notify });
  t.like(run.of('log').find((event) => event.source === 'JOB'), { level: 'info', source: 'JOB', message: ['still here'] });
});

test('job code has timers', async (t) => {
  const result = await executePlan(
    plan([job('a', 's => new Promise((resolve) => setTimeout(() => resolve({ data: { waited: true } }), 1))')]),
  );
  t.deepEqual(result, { data: { waited: true } });
});

test('the workflow globals are available to every step, and cannot hide the state', async (t) => {
  const globals = 'export const greet = (name) => `hi ${name}`;\nexport const state = "not the state";';
  const result = await executePlan(
    plan(
      [
        job('a', '() => ({ data: { a: greet("a"), x: state.data.x } })', { next: { b: true } }),
        job('b', 's => ({ data: { ...s.data, b: greet("b") } })'),
      ],
      undefined,
      globals,
    ),
    { data: { x: 1 } },
  );
  t.deepEqual(result, { data: { a: 'hi a', x: 1, b: 'hi b' } });
});

test('globals that fail to load crash the plan before any step, with a [globals] prefix', async (t) => {
  const run = recorder();
  const broken = plan([job('a', 's => s')], undefined, 'export const x = ;');
  await t.throwsAsync(executePlan(broken, undefined, { notify: run.notify }), {
    name: 'RuntimeCrash',
    message: /^\[globals\] SyntaxError/,
  });
  t.deepEqual(run.events, []);
});
