import test from 'ava';
import { SourceMap } from 'node:module';
import { CompileError, compile } from '../src/compile/compile.js';
import { squash } from './helpers/compiled-job.js';

const http = { name: '@openfn/language-http', exports: ['get', 'fn', 'post', 'each'] };

const referenceSource = `const y = 1;
get('x');
fn(s => s).then(s => s);
fn($.data.a);
http.post('y');
x = 2;
`;

test('the reference example compiles to the reference output', (t) => {
  const { code } = compile(referenceSource, { stepId: 'job', adaptors: [http] });
  t.is(
    squash(code),
    squash(`import { get, fn } from "@openfn/language-http";
      export * from "@openfn/language-http";
      import { defer as _defer } from "@openfn/runtime";
      const y = 1;
      x = 2;
      export default [
        get('x'),
        _defer(fn(s => s), p => p.then(s => s)),
        fn(state => state.data.a),
        http.post('y')
      ];`),
  );
});

test('operations describe each entry of the default export, with the line the user wrote it on', (t) => {
  const { operations } = compile(referenceSource, { stepId: 'job', adaptors: [http] });
  t.deepEqual(operations, [
    { name: 'get', line: 2 },
    { name: 'fn', line: 3 },
    { name: 'fn', line: 4 },
    { name: undefined, line: 5 },
  ]);
});

test('declarations, assignments and calls that are not statements of their own stay in the body', (t) => {
  const { code } = compile(`const a = get('x');\nx = fn(a);\nif (a) { get('y'); }\nfunction f() { post('z'); }\n`, {
    stepId: 'job',
  });
  t.is(
    squash(code),
    squash(`const a = get('x');\nx = fn(a);\nif (a) { get('y'); }\nfunction f() { post('z'); }\nexport default [];`),
  );
});

test("operations are appended after the entries of the job's own export default", (t) => {
  const { code, operations } = compile(`export default [1];\nfn(s => s);`, { stepId: 'job' });
  t.is(squash(code), 'export default [1, fn(s => s)];');
  t.deepEqual(operations, [
    { name: undefined, line: 1 },
    { name: 'fn', line: 2 },
  ]);
});

test('a default export that is not an array literal is refused', (t) => {
  const error = t.throws(() => compile(`fn(s => s);\nexport default fn(s => s);`, { stepId: 'load' }), {
    instanceOf: CompileError,
  });
  t.is(error?.message, 'Cannot compile step "load": export default must be an array of operations (line 2, column 0)');
});

test('exporting a binding as default is refused too', (t) => {
  t.throws(() => compile(`const ops = [];\nexport { ops as default };`, { stepId: 'load' }), {
    instanceOf: CompileError,
    message: /export default must be an array of operations \(line 2, column 9\)/,
  });
});

test('a syntax error names the step, the line and the column', (t) => {
  const error = t.throws(() => compile(`get('a');\nget('b');\nfn(ab, ,);`, { stepId: 'fetch-data' }), {
    instanceOf: CompileError,
  });
  t.is(error?.message, 'Cannot compile step "fetch-data": Unexpected token (line 3, column 7)');
  t.like(error, { name: 'CompileError', severity: 'crash', stepId: 'fetch-data', line: 3, column: 7 });
});

test('columns count a tab as one character, as editors report them', (t) => {
  t.throws(() => compile(`get('a');\n\t\tfn(;`, { stepId: 'tabs' }), {
    instanceOf: CompileError,
    message: /\(line 2, column 5\)$/,
  });
});

test('the source map carries the source exactly as written, tabs included', (t) => {
  const expression = `if (a) {\n\tget('a');\n}\nfn(s => s);`;
  t.like(compile(expression, { stepId: 'tabs' }).map, { sourcesContent: [expression] });
});

test('an empty expression compiles to a module exporting no operations', (t) => {
  for (const expression of ['', '\n  \n', '// nothing to do yet\n']) {
    const { code, operations, map } = compile(expression, { stepId: 'empty' });
    t.is(squash(code).replace(/\/\/.*?(?=export)/, ''), 'export default [];');
    t.deepEqual(operations, []);
    t.like(map, { version: 3, file: 'empty.js', sources: ['empty.js'] });
  }
});

test('a hashbang line is dropped, since imports now come first', (t) => {
  const { code } = compile(`#!/usr/bin/env node\nconst a = 'x';\nget(a);`, { stepId: 'job', adaptors: [http] });
  t.false(code.includes('#!'));
  t.true(code.startsWith('import { get }'));
  t.true(code.includes("const a = 'x';"));
});

test('class fields and private names compile, including where $ is rewritten inside them', (t) => {
  const { code } = compile(`class A { #p = 1; static s; get p() { return #p in this && this.#p; } }\nfn(state => new (class { q = $.a })());`, {
    stepId: 'job',
  });
  t.true(code.includes('class A { #p = 1; static s; get p() { return #p in this && this.#p; } }'));
  t.true(code.includes('fn(state => new (class { q = state.a })())'));
});

test('the source map leads each operation back to the line the user wrote it on', (t) => {
  const { code, map } = compile(referenceSource, { stepId: 'fetch-data', adaptors: [http] });
  t.like(map, { file: 'fetch-data.js', sources: ['fetch-data.js'], sourcesContent: [referenceSource] });
  const sourceMap = new SourceMap(map as ConstructorParameters<typeof SourceMap>[0]);
  const lines = code.split('\n');
  const expectations: Array<[string, number]> = [
    ["get('x')", 2],
    ["http.post('y')", 5],
    ['x = 2', 6],
  ];
  for (const [text, originalLine] of expectations) {
    const line = lines.findIndex((candidate) => candidate.includes(text));
    const entry = sourceMap.findEntry(line, lines[line]!.indexOf(text));
    // findEntry answers {} for a position the map does not cover.
    if (!('originalLine' in entry)) return t.fail(`no source map entry for ${text}`);
    t.is(entry.originalLine + 1, originalLine, text);
    t.is(entry.originalSource, 'fetch-data.js');
  }
});
