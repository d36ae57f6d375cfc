import { readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fixtures, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, readEntry } from '@fleet/repo';
import { installReport, lightningPlan, startFleet, type Fleet } from '../src/index.js';

// Real ws-worker processes against the mock Lightning, sharing one cold repo
// directory, installing from the local registry: the whole product, no mocks.
const TRIALS = Number(process.env.FLEET_E2E_TRIALS ?? 10);
const WHITELIST = '^@fleet-fixtures/';
const JOBS = fixtures.languageJobs;
const EXTRA = fixtures.languageExtra;

let registry: LocalRegistry;

test.before(async () => {
  registry = await startRegistry();
});

test.after.always(() => registry?.stop());

const fleetEnv = (): NodeJS.ProcessEnv => ({ ...process.env, ...registry.env });

/** A mix of runs on two adaptors that share dependencies, some using both. */
const batch = () => [
  lightningPlan([{ adaptor: JOBS, body: 'setData({ n: 1 });' }]),
  lightningPlan([{ adaptor: EXTRA, body: 'increment(2);' }]),
  lightningPlan([{ adaptor: JOBS, body: 'setData({ count: 1 });' }, { adaptor: EXTRA, body: 'increment(1);' }]),
  lightningPlan([{ adaptor: EXTRA, body: 'increment(5);' }]),
  lightningPlan([{ adaptor: JOBS, body: 'fn(s => ({ ...s, done: true }));' }]),
  lightningPlan([{ adaptor: JOBS, body: 'setData({ n: 2 });' }, { adaptor: JOBS, body: 'fn(s => s);' }]),
];

async function runBatch(fleet: Fleet, plans: Array<Record<string, unknown>>) {
  const ids = plans.map((plan) => fleet.mock.enqueueRun(plan));
  return fleet.mock.waitForAll(ids, { timeoutMs: 120_000 });
}

for (const workers of [2, 4]) {
  test.serial(`${workers} workers, capacity 2, cold shared repo: every run succeeds and each adaptor is installed once (${TRIALS} trials)`, async (t) => {
    for (let trial = 1; trial <= TRIALS; trial++) {
      const fleet = await startFleet({ workers, capacity: 2, whitelist: WHITELIST, env: fleetEnv() });
      try {
        const runs = await runBatch(fleet, batch());
        const failed = runs.filter((run) => run.status !== 'success');
        t.deepEqual(failed.map((run) => `${run.id}: ${run.status} ${run.errorType ?? ''} ${run.errorMessage ?? ''}`), [], `trial ${trial}`);
        const { installs } = installReport(fleet.workers);
        t.deepEqual(
          Object.fromEntries(Object.entries(installs).map(([alias, by]) => [alias, by.length])),
          { [aliasFor(JOBS)]: 1, [aliasFor(EXTRA)]: 1 },
          `trial ${trial}: installs ${JSON.stringify(installs)}`,
        );
      } finally {
        await fleet.stop();
      }
    }
  });
}

test.serial('a worker SIGKILLed while it holds an install lock: its runs are lost, every other run completes, the repo is healthy', async (t) => {
  const slow = fixtures.languageSlow;
  let installerSeen: (name: string) => void = () => undefined;
  const installing = new Promise<string>((resolve) => (installerSeen = resolve));
  const fleet = await startFleet({
    workers: 2,
    capacity: 2,
    whitelist: WHITELIST,
    env: fleetEnv(),
    // language-slow's postinstall keeps its install going for 3 s.
    args: ['--install-scripts'],
    // The repo logs this line once it holds the lock and npm starts.
    onLog: (worker, line) => line.msg.startsWith(`Installing ${slow}`) && installerSeen(worker),
  });
  t.teardown(() => fleet.stop());
  const ids = [1, 2, 3, 4].map((i) => fleet.mock.enqueueRun(lightningPlan([{ adaptor: slow, body: `fn(s => ({ ...s, run: ${i} }));` }])));
  const holderName = await installing;
  const holder = fleet.workers.find((worker) => worker.name === holderName)!;
  await holder.stop('SIGKILL');

  const runs = await fleet.mock.waitForAll(ids, { timeoutMs: 120_000 });
  const lost = runs.filter((run) => run.status === 'lost');
  t.true(lost.length >= 1, 'the killed worker had claimed at least the run it was installing for');
  t.true(runs.every((run) => run.status === 'success' || (run.status === 'lost' && run.workerName === holderName)), JSON.stringify(runs.map((r) => [r.status, r.workerName])));
  // As Lightning would, run the lost ones again (as new runs): the survivor serves them.
  const retried = await fleet.mock.waitForAll(
    lost.map(({ plan: { id: _lostId, ...plan } }) => fleet.mock.enqueueRun(plan)),
    { timeoutMs: 120_000 },
  );
  t.true(retried.every((run) => run.status === 'success'));

  const survivor = fleet.workers.find((worker) => worker !== holder)!;
  t.true(survivor.logs.some((line) => /Taking over the install lock of .*language-slow.*its process is gone/.test(line.msg)), 'the survivor took over the dead holder’s lock');
  t.is((await readEntry(fleet.repoDir, aliasFor(slow))).state, 'found', 'published to the shared repo');
  // Scoped aliases keep an (empty) scope folder under .locks; no lock may be left in it.
  const lockEntries = await readdir(path.join(fleet.repoDir, '.locks'), { recursive: true });
  t.deepEqual(lockEntries.filter((entry) => entry.includes('.lock')), [], 'no lock left behind');
});

test.serial('--no-repo-lock: every run still succeeds (installs may duplicate) and no .locks folder appears', async (t) => {
  const fleet = await startFleet({ workers: 2, capacity: 2, repoLock: false, whitelist: WHITELIST, env: fleetEnv() });
  t.teardown(() => fleet.stop());
  const runs = await runBatch(fleet, batch());
  t.deepEqual(runs.filter((run) => run.status !== 'success').map((run) => run.errorMessage), []);
  const { installs } = installReport(fleet.workers);
  t.log(`installs without the lock: ${JSON.stringify(installs)}`);
  t.true(Object.values(installs).every((by) => by.length >= 1 && by.length <= 2));
  t.false((await readdir(fleet.repoDir)).includes('.locks'));
});
