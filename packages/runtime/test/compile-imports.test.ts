import test from 'ava';
import { compile, type CompileOptions } from '../src/compile/compile.js';
import { importsOf, starExportsOf } from './helpers/compiled-job.js';

const HTTP = '@openfn/language-http';
const http = { name: HTTP, exports: ['get', 'fn', 'post', 'each'] };

const compileWith = (expression: string, adaptors: CompileOptions['adaptors'] = [http]) =>
  compile(expression, { stepId: 'job', adaptors }).code;

test('dangling names the adaptor exports are imported, in the order the job uses them, then re-exported', (t) => {
  const code = compileWith(`each($.items, get('x'));\nfn(s => s);`);
  t.deepEqual(importsOf(code), { [HTTP]: ['each', 'get', 'fn'] });
  t.deepEqual(starExportsOf(code), [HTTP]);
  t.true(code.startsWith(`import { each, get, fn } from "${HTTP}";\nexport * from "${HTTP}";`));
});

test('a job without adaptors gets no imports at all', (t) => {
  const code = compileWith(`get('x');`, []);
  t.deepEqual(importsOf(code), {});
  t.deepEqual(starExportsOf(code), []);
});

test('names no adaptor exports are left to fail at run time', (t) => {
  const code = compileWith(`http.post('y');\nx = zzz;\nfn(s => s);`);
  t.deepEqual(importsOf(code), { [HTTP]: ['fn'] });
});

test('names the job declares, in any scope it uses them from, are not imported', (t) => {
  const code = compileWith(
    `const get = () => 1;\nfunction helper(each) { return each; }\nimport { post } from 'other';\ntry {} catch (fn) { fn; }\nget();`,
  );
  t.deepEqual(importsOf(code), { other: ['post'] });
});

test('a name declared only in an inner scope is still imported where it is used outside it', (t) => {
  const code = compileWith(`function helper() { const get = 1; return get; }\nget('x');`);
  t.deepEqual(importsOf(code), { [HTTP]: ['get'] });
});

test('keys, property names, labels and other non-variables are not imported', (t) => {
  const adaptor = { name: HTTP, exports: ['fn', 'get', 'post', 'each', 'loop', 'Named', 'meta', 'q', 'r'] };
  const expression = [
    'fn(s => ({ get: s.post }));',
    'loop: for (;;) { break loop; }',
    'const C = class Named {};',
    'import.meta.url;',
    "export { q as r } from 'elsewhere';",
    'class K { each = 1; }',
  ].join('\n');
  t.deepEqual(importsOf(compileWith(expression, [adaptor])), { [HTTP]: ['fn'] });
});

test('a computed key and a shorthand property are variables, so they are imported', (t) => {
  t.deepEqual(importsOf(compileWith('fn(s => ({ [each]: 1, get }));')), { [HTTP]: ['fn', 'each', 'get'] });
});

test('sandbox globals are never imported, even if an adaptor exports the name; lookalikes are', (t) => {
  const globals = ['Date', 'JSON', 'Math', 'Promise', 'console', 'setTimeout', 'Buffer', 'parseInt', 'undefined', 'NaN', 'state'];
  const adaptor = { name: HTTP, exports: [...globals, 'myDate', 'fn'] };
  const code = compileWith(`fn(s => [${globals.join(', ')}, myDate]);`, [adaptor]);
  t.deepEqual(importsOf(code), { [HTTP]: ['fn', 'myDate'] });
});

test('with several adaptors, each name comes from the first that exports it, and only the first is re-exported', (t) => {
  const common = { name: '@openfn/language-common', exports: ['fn', 'each', 'execute'] };
  const dhis2 = { name: 'language-dhis2', exports: ['fn', 'create', 'execute'] };
  const code = compileWith(`create('x');\nfn(s => s);\neach([], fn(s => s));\nother();`, [common, dhis2]);
  t.deepEqual(importsOf(code), { '@openfn/language-common': ['fn', 'each'], 'language-dhis2': ['create'] });
  t.deepEqual(starExportsOf(code), ['@openfn/language-common']);
});

test('the first adaptor is re-exported even when the job imports nothing from it', (t) => {
  const code = compileWith('const a = 1;');
  t.deepEqual(importsOf(code), {});
  t.deepEqual(starExportsOf(code), [HTTP]);
});
