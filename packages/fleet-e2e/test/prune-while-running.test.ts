import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { fixtures, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { readEntry, repoStatus } from '@fleet/repo';
import { installReport, lightningPlan, startFleet, WS_WORKER_BIN, type Fleet } from '../src/index.js';

// `ws-worker repo prune` run again and again against a fleet in full swing,
// removing everything (--unused-for 0s): no run may be lost or fail, no entry may
// ever name a missing archive, and a worker that joins later, with an empty
// cache, simply installs what was pruned.

const TRIALS = Number(process.env.FLEET_E2E_TRIALS ?? 3);
const WHITELIST = '^@fleet-fixtures/';
const JOBS = fixtures.languageJobs;
const EXTRA = fixtures.languageExtra;
const PRUNES = 5;

let registry: LocalRegistry;

test.before(async () => {
  registry = await startRegistry();
});

test.after.always(() => registry?.stop());

const batch = () => [
  lightningPlan([{ adaptor: JOBS, body: 'setData({ n: 1 });' }]),
  lightningPlan([{ adaptor: EXTRA, body: 'increment(2);' }]),
  lightningPlan([{ adaptor: JOBS, body: 'setData({ count: 1 });' }, { adaptor: EXTRA, body: 'increment(1);' }]),
  lightningPlan([{ adaptor: EXTRA, body: 'increment(5);' }]),
];

const pruneAll = (repoDir: string) =>
  promisify(execFile)(process.execPath, [WS_WORKER_BIN, 'repo', 'prune', '--unused-for', '0s', '--repo-dir', repoDir], { env: process.env });

/** Watches the shared repo until stopped; returns every moment an entry named an archive that was not there. */
function watchEntries(repoDir: string): { stop(): Promise<string[]> } {
  const violations: string[] = [];
  let watching = true;
  const watched = (async () => {
    while (watching) {
      for (const { alias } of (await repoStatus(repoDir)).adaptors) {
        const found = await readEntry(repoDir, alias);
        if (found.state !== 'found') continue;
        const archive = path.join(repoDir, 'adaptors', path.posix.dirname(alias), found.entry.archive);
        if (await stat(archive).then(() => true, () => false)) continue;
        // Removed between the two looks (entry first, then archive) is fine; an entry still there is not.
        if ((await readEntry(repoDir, alias)).state === 'found') violations.push(`${alias} names ${found.entry.archive}, which is missing`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    stop: async () => {
      watching = false;
      await watched;
      return violations;
    },
  };
}

async function runAll(fleet: Fleet, plans: Array<Record<string, unknown>>) {
  return fleet.mock.waitForAll(
    plans.map((plan) => fleet.mock.enqueueRun(plan)),
    { timeoutMs: 180_000 },
  );
}

test.serial(`repo prune while a fleet runs loses no run and never leaves half a version (${TRIALS} trials)`, async (t) => {
  for (let trial = 1; trial <= TRIALS; trial++) {
    const fleet = await startFleet({ workers: 2, capacity: 2, whitelist: WHITELIST, env: { ...process.env, ...registry.env } });
    try {
      const watcher = watchEntries(fleet.repoDir);
      const runs = [];
      const prunes = [];
      for (let round = 0; round < PRUNES; round++) {
        const pending = runAll(fleet, batch());
        prunes.push(await pruneAll(fleet.repoDir));
        runs.push(...(await pending));
      }
      // A worker joining now has nothing cached: it needs the shared repo, which the last prune emptied.
      const late = await fleet.addWorker('worker-late', { capacity: 2 });
      await fleet.workers[0]?.stop();
      await fleet.workers[1]?.stop();
      runs.push(...(await runAll(fleet, batch())));

      t.deepEqual(await watcher.stop(), [], `trial ${trial}: no entry ever named a missing archive`);
      t.deepEqual(
        runs.filter((run) => run.status !== 'success').map((run) => `${run.status}: ${run.errorMessage}`),
        [],
        `trial ${trial}: every run succeeded`,
      );
      t.true(prunes.some(({ stdout }) => /^Removed [1-9]\d* version\(s\)/m.test(stdout)), `trial ${trial}: prune removed versions`);
      t.true(late.logs.some((line) => line.msg.startsWith('Installing ')), `trial ${trial}: the late worker installed what was pruned`);
      t.deepEqual(
        (await repoStatus(fleet.repoDir)).adaptors.filter((adaptor) => adaptor.problem),
        [],
        `trial ${trial}: every version left is whole`,
      );
      t.log(`trial ${trial}: ${runs.length} runs; installs ${JSON.stringify(installReport(fleet.workers).installs)}`);
    } finally {
      await fleet.stop();
    }
  }
});
