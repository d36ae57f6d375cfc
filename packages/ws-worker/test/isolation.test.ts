import test from 'ava';
import { fixtures, type LocalRegistry } from '@fleet/local-registry';
import { jobPlan, sharedRepo, startMock, startTestWorker, useRegistry, workerConfig } from './helpers/stack.js';

// The escapes of a hostile job author, through the whole worker and the
// Lightning mock: each run fails or finds nothing, the worker stays up, and the
// innocent runs around them succeed with their own data.

let registry: LocalRegistry;
let repo: Awaited<ReturnType<typeof sharedRepo>>;

test.before(async () => {
  registry = await useRegistry();
  repo = await sharedRepo();
});

test.after.always(async () => {
  await registry?.stop();
  await repo?.remove();
});

const hostJob = (body: string): Record<string, unknown> => ({ jobs: [{ id: 'job', adaptor: fixtures.languageHost, body }] });

test.serial('realm escapes are refused, an escaped job finds no secret and cannot signal the worker, and the worker serves on', async (t) => {
  const mock = await startMock(t);
  const { worker } = await startTestWorker(t, workerConfig(mock.url, repo.dir, { capacity: 2 }));
  const escapes = [
    "fn(s => s.constructor.constructor('return process')().env);",
    "fn(s => console.log.constructor('return process')().env);",
    "fn(s => setTimeout.constructor('return process')().env);",
    "fn(s => fn.constructor('return process')().env);",
  ].map((body) => mock.enqueueRun(jobPlan(body)));
  const before = mock.enqueueRun(jobPlan('fn(s => ({ data: { who: "before" } }));'));
  const probe = mock.enqueueRun(
    hostJob("fn(s => { const p = hostProcess(); let kill; try { p.kill(p.ppid, 'SIGKILL'); } catch (e) { kill = e.message; } return { data: { env: Object.keys(p.env), kill } }; });"),
  );
  const suicide = mock.enqueueRun(hostJob('fn(s => hostProcess().exit(1));'));
  const after = mock.enqueueRun(jobPlan('fn(s => ({ data: { who: "after" } }));'));

  const runs = await mock.waitForAll([...escapes, before, probe, suicide, after], { timeoutMs: 90_000 });
  for (const run of runs.slice(0, escapes.length)) {
    t.like(run, { status: 'killed', errorType: 'SecurityError' }, JSON.stringify(run?.errorMessage));
  }
  const [innocentBefore, probed, died, innocentAfter] = runs.slice(escapes.length);
  t.like(innocentBefore, { status: 'success', finalState: { data: { who: 'before' } } });
  t.like(probed, { status: 'success', finalState: { data: { env: [], kill: 'Run processes may not send signals' } } });
  t.like(died, { status: 'crashed', errorType: 'ExitError' });
  t.like(innocentAfter, { status: 'success', finalState: { data: { who: 'after' } } });
  t.is((await fetch(`${worker.url}/livez`)).status, 200);
});
