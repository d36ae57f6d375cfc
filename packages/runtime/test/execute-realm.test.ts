import test from 'ava';
import { executePlan } from '../src/execute/execute-plan.js';
import { job, plan } from './helpers/execute-fixtures.js';

// Each expression tries to climb from a value job code is given to the host's Function,
// which would compile `return process` and hand over the run process.
const escapes = {
  'the state': 's.constructor.constructor',
  'the state data': 's.data.constructor.constructor',
  'console.log': 'console.log.constructor',
  'setTimeout': 'setTimeout.constructor',
  "setTimeout's handle": 'setTimeout(() => {}, 0).constructor.constructor',
};

for (const [what, path] of Object.entries(escapes)) {
  test(`${what} does not lead job code to the host's Function`, async (t) => {
    const result = (await executePlan(
      plan([
        job(
          'a',
          `s => { let outcome; try { outcome = typeof ${path}('return process')(); } catch (error) { outcome = error.name; } return { data: { outcome, sameRealm: ${path} === Function } }; }`,
        ),
      ]),
      { data: { n: 1 } },
    )) as { data: { outcome: string; sameRealm: boolean } };
    t.is(result.data.outcome, 'EvalError');
    t.true(result.data.sameRealm, "it is the context's own Function");
  });
}

test("an edge condition reads the context's copy of the state, not a host object", async (t) => {
  const result = await executePlan(
    plan([
      job('a', 's => ({ data: { n: 1 } })', {
        next: { b: '(() => { try { state.constructor.constructor("return process")(); return false; } catch (e) { return e.name === "EvalError"; } })()' },
      }),
      job('b', 's => ({ data: { reached: true } })'),
    ]),
  );
  t.deepEqual(result, { data: { reached: true } });
});

test('timers made in the context still run, repeat and clear', async (t) => {
  const result = await executePlan(
    plan([
      job(
        'a',
        `s => new Promise((resolve) => {
          let ticks = 0;
          const cleared = setTimeout(() => resolve({ data: { wrong: true } }), 5);
          clearTimeout(cleared);
          const id = setInterval(() => { ticks += 1; if (ticks === 3) { clearInterval(id); setTimeout((x) => resolve({ data: { ticks, x } }), 1, 'arg'); } }, 1);
        })`,
      ),
    ]),
  );
  t.deepEqual(result, { data: { ticks: 3, x: 'arg' } });
});
