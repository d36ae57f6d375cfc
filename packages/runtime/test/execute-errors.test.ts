import test from 'ava';
import type { Severity } from '../src/execute/errors.js';
import { executePlan } from '../src/execute/execute-plan.js';
import type { JobStep, LinkerEntry } from '../src/plan.js';
import { ADAPTOR, adaptorJob, fixtureAdaptors, job, plan, recorder } from './helpers/execute-fixtures.js';

interface Case {
  what: string;
  step: (linker: Record<string, LinkerEntry>) => JobStep;
  name: string;
  severity: Severity;
  message: RegExp;
  subtype?: string;
}

const cases: Case[] = [
  {
    what: 'a TypeError in job code',
    step: () => job('a', 's => s.nothing.here'),
    name: 'RuntimeError',
    severity: 'fail',
    message: /^TypeError: Cannot read properties of undefined/,
    subtype: 'TypeError',
  },
  {
    what: 'a RangeError in job code',
    step: () => job('a', 's => new Array(-1)'),
    name: 'RuntimeError',
    severity: 'fail',
    message: /^RangeError: Invalid array length/,
    subtype: 'RangeError',
  },
  {
    what: 'an Error thrown by job code',
    step: () => job('a', 's => { throw new Error("custom") }'),
    name: 'JobError',
    severity: 'fail',
    message: /^custom$/,
  },
  {
    what: 'a thrown string',
    step: () => job('a', 's => { throw "just a string" }'),
    name: 'JobError',
    severity: 'fail',
    message: /^just a string$/,
  },
  {
    what: 'a thrown object',
    step: () => job('a', 's => { throw { code: 42 } }'),
    name: 'JobError',
    severity: 'fail',
    message: /"code":42/,
  },
  {
    what: 'an error raised in adaptor code',
    step: (linker) => adaptorJob('a', linker, 'fail("adaptor says no")'),
    name: 'AdaptorError',
    severity: 'fail',
    message: /^adaptor says no$/,
  },
  {
    what: 'a TypeError raised in adaptor code',
    step: (linker) => adaptorJob('a', linker, 'failWithTypeError()'),
    name: 'AdaptorError',
    severity: 'fail',
    message: /Cannot read properties of undefined/,
  },
  {
    what: 'an error in a job callback that an adaptor calls',
    step: (linker) => adaptorJob('a', linker, 'fn(s => { throw new Error("in my callback") })'),
    name: 'JobError',
    severity: 'fail',
    message: /^in my callback$/,
  },
  {
    what: 'new Buffer()',
    step: () => job('a', 's => new Buffer(8)'),
    name: 'JobError',
    severity: 'fail',
    message: /Buffer\.from/,
  },
  {
    what: 'a ReferenceError in job code',
    step: () => job('a', 's => notDefinedAnywhere'),
    name: 'RuntimeCrash',
    severity: 'crash',
    message: /^ReferenceError: notDefinedAnywhere is not defined/,
  },
  {
    what: 'job code reaching for process',
    step: () => job('a', 's => process.exit(1)'),
    name: 'RuntimeCrash',
    severity: 'crash',
    message: /^ReferenceError: process is not defined/,
  },
  {
    what: 'a SyntaxError thrown by job code',
    step: () => job('a', 's => JSON.parse("{")'),
    name: 'RuntimeCrash',
    severity: 'crash',
    message: /^SyntaxError/,
  },
  {
    what: 'an error that flags itself as a crash',
    step: () => job('a', 's => { throw Object.assign(new Error("stop everything"), { severity: "crash" }) }'),
    name: 'RuntimeCrash',
    severity: 'crash',
    message: /^Error: stop everything$/,
  },
  {
    what: 'a job module that does not parse',
    step: () => ({ id: 'a', expression: 'export default [s => s' }),
    name: 'RuntimeCrash',
    severity: 'crash',
    message: /^SyntaxError/,
  },
  {
    what: 'an import the adaptor does not export',
    step: (linker) => ({ id: 'a', expression: `import { nope } from '${ADAPTOR}';\nexport default [nope];`, linker }),
    name: 'RuntimeCrash',
    severity: 'crash',
    message: /does not provide an export named 'nope'/,
  },
  {
    what: 'a default export that is not an array',
    step: () => ({ id: 'a', expression: 'export default (s => s);' }),
    name: 'ValidationError',
    severity: 'crash',
    message: /^Invalid exports/,
  },
  {
    what: 'an operation that is not a function',
    step: () => job('a', 's => s, 42'),
    name: 'ValidationError',
    severity: 'crash',
    message: /^Invalid operation at statement 2/,
  },
  {
    what: 'an import of a module that is not one of the step adaptors',
    step: (linker) => ({ id: 'a', expression: `import fs from 'node:fs';\nexport default [s => s];`, linker }),
    name: 'ImportError',
    severity: 'crash',
    message: /Cannot import "node:fs": it is not an adaptor of step "a" \(adaptors: @fleet-fixtures/,
  },
  {
    what: 'a dynamic import in job code',
    step: () => job('a', 'async s => ({ data: await import("node:fs") })'),
    name: 'ImportError',
    severity: 'crash',
    message: /Cannot import "node:fs": job code may not use import\(\)/,
  },
  {
    what: 'an adaptor that cannot be loaded',
    step: () => adaptorJob('a', { [ADAPTOR]: { path: '/nonexistent/adaptor', version: '1.0.0' } }, 's => s'),
    name: 'ImportError',
    severity: 'crash',
    message: /Failed to import module "@fleet-fixtures\/adaptor-x" from \/nonexistent\/adaptor/,
  },
  {
    what: 'eval in job code',
    step: () => job('a', 's => eval("1 + 1")'),
    name: 'SecurityError',
    severity: 'kill',
    message: /Illegal eval statement detected/,
  },
  {
    what: 'new Function in job code',
    step: () => job('a', 's => new Function("return 1")()'),
    name: 'SecurityError',
    severity: 'kill',
    message: /Illegal eval statement detected/,
  },
  {
    what: 'a Function reached through a job function constructor',
    step: () => job('a', 's => (() => 1).constructor("return process")()'),
    name: 'SecurityError',
    severity: 'kill',
    message: /Illegal eval statement detected/,
  },
  {
    what: 'WebAssembly compilation in job code',
    step: () => job('a', 's => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))'),
    name: 'SecurityError',
    severity: 'kill',
    message: /Illegal eval statement detected/,
  },
];

for (const { what, step, name, severity, message, subtype } of cases) {
  test(`${what}: ${name} (${severity})`, async (t) => {
    const linker = await fixtureAdaptors(t);
    const run = recorder();
    const steps = [{ ...step(linker), next: { after: 'always' } }, job('after', 's => s')];
    const execution = executePlan(plan(steps), undefined, { notify: run.notify });
    const expected = { source: 'runtime', name, severity, ...(subtype ? { subtype } : {}) };

    if (severity === 'fail') {
      const result = (await execution) as { errors: Record<string, { message: string }> };
      t.like(result.errors.a, expected);
      t.regex(result.errors.a!.message, message);
      t.deepEqual(run.of('job-start').map((event) => event.jobId), ['a', 'after'], 'the plan goes on');
    } else {
      const error = await t.throwsAsync(execution, { name, message });
      t.is((error as { severity?: unknown }).severity, severity);
      t.deepEqual(run.of('job-start').map((event) => event.jobId), ['a'], 'the plan stops');
    }
    const [reported] = run.of('job-error');
    t.like(reported, { jobId: 'a', error: expected });
    t.deepEqual(reported?.next, severity === 'fail' ? ['after'] : []);
  });
}

test('an adaptor error keeps the original error as details', async (t) => {
  const linker = await fixtureAdaptors(t);
  const result = (await executePlan(plan([adaptorJob('a', linker, 'fail("boom")')]))) as {
    errors: { a: { details: unknown } };
  };
  t.like(result.errors.a.details, { name: 'Error', message: 'boom' });
});

test('a module outside the whitelist cannot be imported, even when it is a step adaptor', async (t) => {
  const linker = await fixtureAdaptors(t);
  const run = recorder();
  const step = adaptorJob('a', linker, 's => s');
  const outside = executePlan(plan([step]), undefined, { notify: run.notify, whitelist: [/^@openfn\//] });
  const error = await t.throwsAsync(outside, {
    name: 'ImportError',
    message: /Cannot import "@fleet-fixtures\/adaptor-x": it is not in the whitelist/,
  });
  t.like(error, { severity: 'crash' });
  t.truthy(await executePlan(plan([step]), undefined, { whitelist: [/^@fleet-fixtures\//] }));
});

test('Buffer.from works in job code', async (t) => {
  const result = await executePlan(
    plan([
      job(
        'a',
        's => ({ data: { text: Buffer.from("aGk=", "base64").toString(), isBuffer: Buffer.from("x") instanceof Buffer } })',
      ),
    ]),
  );
  t.deepEqual(result, { data: { text: 'hi', isBuffer: true } });
});
