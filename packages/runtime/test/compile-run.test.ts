import test from 'ava';
import { compile } from '../src/compile/compile.js';
import { fakeRuntime, loadCompiledJob, runOperations } from './helpers/compiled-job.js';

type State = Record<string, unknown>;
type Operation = (state: State) => State | Promise<State>;

const HTTP = '@openfn/language-http';

// Adaptor functions take values or functions of state, the way lazy state hands them over.
const resolve = (value: unknown, state: State) => (typeof value === 'function' ? value(state) : value);
const fakeHttp = {
  get: (url: unknown) => (state: State) => ({ ...state, data: { fetched: resolve(url, state) } }),
  fn: (f: (state: State) => State) => (state: State) => f(state),
  each: (items: unknown, operation: Operation) => async (state: State) => {
    let current = state;
    for (const item of resolve(items, state) as unknown[]) current = await operation({ ...current, item });
    return current;
  },
  execute: () => 'the adaptor execute',
};
const http = { name: HTTP, exports: Object.keys(fakeHttp) };

async function run(expression: string) {
  const { code } = compile(expression, { stepId: 'job', adaptors: [http] });
  const namespace = await loadCompiledJob(code, { [HTTP]: fakeHttp, '@openfn/runtime': fakeRuntime });
  return { namespace, operations: namespace.default as Operation[] };
}

test('the compiled module default-exports its operations as functions, which produce the expected state', async (t) => {
  const expression = [
    'const prefix = "https://example.com";',
    'get(`${prefix}/${$.path}`);',
    'fn(s => ({ ...s, count: 1 })).then(s => ({ ...s, count: s.count + 1 }));',
    'fn(state => ({ ...state, copied: $.data.fetched }));',
    'each($.items, fn(s => ({ ...s, seen: [...(s.seen ?? []), s.item] })));',
  ].join('\n');
  const { operations } = await run(expression);
  t.true(Array.isArray(operations));
  t.is(operations.length, 4);
  t.true(operations.every((operation) => typeof operation === 'function'));

  const state = await runOperations(operations, { path: 'a', items: [1, 2] });
  t.deepEqual(state, {
    path: 'a',
    items: [1, 2],
    item: 2,
    data: { fetched: 'https://example.com/a' },
    count: 2,
    copied: 'https://example.com/a',
    seen: [1, 2],
  });
});

test('a .catch in a top-level chain handles the failure of its operation', async (t) => {
  const { operations } = await run(`fn(() => { throw new Error('boom'); }).catch(e => ({ recovered: e.message }));`);
  t.deepEqual(await runOperations(operations, {}), { recovered: 'boom' });
});

test("the module re-exposes the adaptor's execute", async (t) => {
  const { namespace } = await run(`fn(s => s);`);
  t.is(namespace.execute, fakeHttp.execute);
});

test('lazy state is read when the operation runs, not when the module loads', async (t) => {
  const { operations } = await run(`get($.url);`);
  const [get] = operations as Operation[];
  t.deepEqual(await get!({ url: 'first' }), { url: 'first', data: { fetched: 'first' } });
  t.deepEqual(await get!({ url: 'second' }), { url: 'second', data: { fetched: 'second' } });
});
