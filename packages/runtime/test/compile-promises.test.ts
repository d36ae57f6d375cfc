import test from 'ava';
import { compile } from '../src/compile/compile.js';
import { importsOf, operationsOf } from './helpers/compiled-job.js';

const chains: Array<[string, string, string]> = [
  ['one .then', 'fn(a).then(b);', 'export default [_defer(fn(a), p => p.then(b))];'],
  ['a lone .catch', 'fn(a).catch(c);', 'export default [_defer(fn(a), p => p.catch(c))];'],
  ['.then then .catch, in order', 'fn(a).then(b).catch(c);', 'export default [_defer(fn(a), p => p.then(b).catch(c))];'],
  ['several .then', 'fn(a).then(b).then(c).then(d);', 'export default [_defer(fn(a), p => p.then(b).then(c).then(d))];'],
  ['a member call as the operation', "http.get('x').then(b);", "export default [_defer(http.get('x'), p => p.then(b))];"],
  [
    'a chain that already uses p, which keeps its meaning',
    'fn(a).then(s => p(s)).catch(p1);',
    'export default [_defer(fn(a), p2 => p2.then(s => p(s)).catch(p1))];',
  ],
];

for (const [what, expression, expected] of chains) {
  test(`promises: ${what}`, (t) => {
    t.is(operationsOf(compile(expression, { stepId: 'job' }).code), expected);
  });
}

test('the defer import comes after the job’s own imports, once for all chains', (t) => {
  const { code } = compile(`import x from 'y';\nfn(a).then(b);\nconst z = 1;\nfn(c).catch(d);`, { stepId: 'job' });
  t.deepEqual(importsOf(code), { y: ['x'], '@openfn/runtime': ['_defer'] });
  t.true(code.indexOf("import x from 'y'") < code.indexOf('import { defer as _defer }'));
  t.is(code.match(/@openfn\/runtime/g)?.length, 1);
});

test('a job that imports _defer itself gets no second import', (t) => {
  const { code } = compile(`import { defer as _defer } from '@openfn/runtime';\nfn(a).then(b);`, { stepId: 'job' });
  t.is(code.match(/@openfn\/runtime/g)?.length, 1);
  t.true(code.includes('_defer(fn(a), p => p.then(b))'));
});

test('chains inside functions or blocks are ordinary code', (t) => {
  const expression = `if (a) { fn(a).then(b); }\nconst f = () => fn(a).then(b);\nfn(s => fn(a).then(b));`;
  const { code } = compile(expression, { stepId: 'job' });
  t.false(code.includes('_defer'));
  t.true(code.includes('if (a) { fn(a).then(b); }'));
  t.true(code.includes('fn(s => fn(a).then(b))'));
});

test('a chain on something that is not a call is not an operation chain', (t) => {
  const { code } = compile('promise.then(b);', { stepId: 'job' });
  t.false(code.includes('_defer'));
  t.is(operationsOf(code), 'export default [promise.then(b)];');
});
