import test from 'ava';
import { CompileError, compile } from '../src/compile/compile.js';
import { operationsOf } from './helpers/compiled-job.js';

const compiledOperations = (expression: string): string => operationsOf(compile(expression, { stepId: 'job' }).code);

const rewrites: Array<[string, string, string]> = [
  ['a path on $', 'fn($.data.a);', 'export default [fn(state => state.data.a)];'],
  ['a computed member of $', "fn($['a']);", "export default [fn(state => state['a'])];"],
  ['$ alone', 'fn($);', 'export default [fn(state => state)];'],
  ['$ in a template string', 'get(`${$.base}/items`);', 'export default [get(state => `${state.base}/items`)];'],
  [
    'several $ in one argument, wrapped once',
    'fn({ a: $.a, b: [$.b] });',
    'export default [fn(state => ({ a: state.a, b: [state.b] }))];',
  ],
  ['$ in a nested call, which gets the function', 'fn(s => get($.url));', 'export default [fn(s => get(state => state.url))];'],
  [
    'an argument that is already a function of state',
    'each($.items, fn(state => ({ ...state, n: $.n })));',
    'export default [each(state => state.items, fn(state => ({ ...state, n: state.n })))];',
  ],
  ['a function expression of state', 'fn(function (state) { return $.a; });', 'export default [fn(function (state) { return state.a; })];'],
  ['$ as a shorthand property, which keeps its key', 'fn({ $ });', 'export default [fn(state => ({ $: state }))];'],
  ['$ inside a nested function of the argument', 'fn({ f: () => $.a });', 'export default [fn(state => ({ f: () => state.a }))];'],
];

for (const [what, expression, expected] of rewrites) {
  test(`lazy state: ${what}`, (t) => {
    t.is(compiledOperations(expression), expected);
  });
}

test('a $ the job declares itself is an ordinary variable', (t) => {
  t.is(compiledOperations('const $ = { a: 1 };\nfn($.a);'), 'export default [fn($.a)];');
  t.is(compiledOperations('fn(($) => $.a);'), 'export default [fn(($) => $.a)];');
});

test('$ as a property name or object key is not lazy state', (t) => {
  t.is(compiledOperations('fn({ $: 1 });\nfn(s => s.$);'), 'export default [fn({ $: 1 }), fn(s => s.$)];');
});

const misuses: Array<[string, string, RegExp]> = [
  ['$ outside any call', 'const a = 1;\nconst b = $.a;', /\$ must be used inside an operation \(line 2, column 10\)$/],
  ['$ as a statement of its own', '$.a;', /\$ must be used inside an operation \(line 1, column 0\)$/],
  ['$ as a shorthand property outside a call', 'const o = { $ };', /\$ must be used inside an operation \(line 1, column 12\)$/],
  ['$ in a callee', '$.fn(1);', /\$ must be used inside an operation/],
  ['an arrow whose parameter is not state', 'get(1);\nfn(s => $.a);', /exactly one parameter, named state \(line 2, column 3\)$/],
  ['an arrow of two parameters', 'fn((state, extra) => $.a);', /exactly one parameter, named state/],
  ['a function of no parameters', 'fn(function () { return $.a; });', /exactly one parameter, named state/],
  ['a state of its own that would capture $', 'fn({ f: () => { const state = 1; return $.a; } });', /a nearer declaration of state hides it \(line 1, column 40\)$/],
];

for (const [what, expression, message] of misuses) {
  test(`lazy state refuses ${what}`, (t) => {
    const error = t.throws(() => compile(expression, { stepId: 'lazy' }), { instanceOf: CompileError, message });
    t.true(error?.message.startsWith('Cannot compile step "lazy": '));
  });
}
