import test, { type ExecutionContext } from 'ava';
import { compilePlan } from '../src/compile/compile-plan.js';
import type { RuntimeEvent } from '../src/execute/events.js';
import { executePlan } from '../src/execute/execute-plan.js';
import type { ExecutionPlan, JobStep } from '../src/plan.js';
import { ADAPTOR, fixtureAdaptors } from './helpers/execute-fixtures.js';

// Compiled code moves operations into the default export, so a position is only
// useful once mapped back to the line the user wrote.
async function errorOf(t: ExecutionContext, expression: string) {
  const linker = await fixtureAdaptors(t);
  const step: JobStep = { id: 'job', expression, adaptors: [`${ADAPTOR}@1.0.0`], linker: { [ADAPTOR]: linker[ADAPTOR]! } };
  const plan: ExecutionPlan = { id: 'positions', workflow: { steps: [step] } };
  const compiled = await compilePlan(plan, { loadExports: async () => ['fn', 'fail'] });
  const events: RuntimeEvent[] = [];
  await executePlan(compiled, {}, { notify: (event) => events.push(event) }).catch(() => undefined);
  const failed = events.find((event) => event.type === 'job-error');
  return failed?.type === 'job-error' ? failed.error : undefined;
}

test('an error in job code points at the line the user wrote', async (t) => {
  const error = await errorOf(t, "const limit = 1;\n\nfn(s => s);\nfn(s => s.missing.deeper);\n");
  t.like(error, { name: 'RuntimeError', pos: { line: 4 } });
});

test('a crash points at its line too', async (t) => {
  const error = await errorOf(t, 'fn(s => s);\nfn(s => notDeclared);');
  t.like(error, { name: 'RuntimeCrash', pos: { line: 2 } });
});
