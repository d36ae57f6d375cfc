import test from 'ava';
import { CompileError } from '../src/compile/compile.js';
import { compilePlan } from '../src/compile/compile-plan.js';
import type { ExecutionPlan, JobStep } from '../src/plan.js';
import { importsOf } from './helpers/compiled-job.js';

const plan = (): ExecutionPlan => ({
  id: 'run-1',
  options: { start: 'trigger' },
  workflow: {
    name: 'wf',
    steps: [
      { id: 'trigger', next: { fetch: true } },
      {
        id: 'fetch',
        expression: `get($.url);`,
        adaptors: ['@openfn/language-http@7.2.9'],
        linker: { '@openfn/language-http': { path: '/repo/node_modules/@openfn/language-http_7.2.9', version: '7.2.9' } },
        next: { tidy: true },
      },
      { id: 'tidy', expression: '', adaptors: ['language-common@2.0.0'] },
    ],
  },
});

const exportsByName: Record<string, string[]> = {
  '@openfn/language-http': ['get', 'fn'],
  'language-common': ['fn'],
};

test('job steps get compiled code and a source map; the plan passed in is left as it was', async (t) => {
  const input = plan();
  const calls: Array<[string, string]> = [];
  const compiled = await compilePlan(input, {
    loadExports: async (name, step) => {
      calls.push([name, step.id]);
      return exportsByName[name] ?? [];
    },
  });

  t.deepEqual(input, plan());
  t.deepEqual(calls, [
    ['@openfn/language-http', 'fetch'],
    ['language-common', 'tidy'],
  ]);
  const [trigger, fetch, tidy] = compiled.workflow.steps as [JobStep, JobStep, JobStep];
  t.deepEqual(trigger, plan().workflow.steps[0]);
  t.deepEqual(importsOf(fetch.expression), { '@openfn/language-http': ['get'] });
  t.true(fetch.expression.includes('get(state => state.url)'));
  t.like(fetch.sourceMap, { version: 3, sources: ['fetch.js'] });
  t.like(fetch, { id: 'fetch', adaptors: ['@openfn/language-http@7.2.9'], next: { tidy: true } });
  t.is(tidy.expression, 'export * from "language-common";\nexport default [];');
  t.like(compiled, { id: 'run-1', options: { start: 'trigger' }, workflow: { name: 'wf' } });
});

test('the engine is handed the step, so it can import the adaptor from where the linker says', async (t) => {
  let seen: JobStep | undefined;
  await compilePlan(plan(), {
    loadExports: async (name, step) => {
      if (step.id === 'fetch') seen = step;
      return exportsByName[name] ?? [];
    },
  });
  t.is(seen?.linker?.['@openfn/language-http']?.path, '/repo/node_modules/@openfn/language-http_7.2.9');
});

test('a step without adaptors needs no exports', async (t) => {
  const input: ExecutionPlan = { id: 'run-2', workflow: { steps: [{ id: 'only', expression: 'get(1);' }] } };
  const compiled = await compilePlan(input, {
    loadExports: async () => {
      t.fail('there is no adaptor to load');
      return [];
    },
  });
  t.deepEqual(importsOf((compiled.workflow.steps[0] as JobStep).expression), {});
});

test('a step that does not compile fails the plan with a CompileError naming that step', async (t) => {
  const input = plan();
  (input.workflow.steps[2] as JobStep).expression = `fn(s => s);\nconst broken = $.a;`;
  const error = await t.throwsAsync(compilePlan(input, { loadExports: async (name) => exportsByName[name] ?? [] }), {
    instanceOf: CompileError,
  });
  t.is(error?.message, 'Cannot compile step "tidy": $ must be used inside an operation (line 2, column 15)');
  t.is(error?.stepId, 'tidy');
});
