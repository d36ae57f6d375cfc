// pnpm bench:fleet — P worker processes on one host need M adaptors at once on a
// cold shared repo, with and without the install lock: wall time, how many npm
// installs ran per adaptor (1 = no duplicate work), and failures. Then how long
// a waiter takes to recover the install after the holder is SIGKILLed, when the
// holder is seen to be on this host (its pid is gone) and on another host (only
// the stale window frees it). Default lock settings throughout.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtures, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, readEntry } from '@fleet/repo';
import type { FleetJob, FleetMessage } from './fleet-worker.js';
import { printTable, saveResults, summarize } from './table.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const PROCESSES = [1, 2, 4];
const ADAPTOR_SETS = [[fixtures.adaptorThree], [fixtures.adaptorOne, fixtures.adaptorTwo, fixtures.adaptorThree, fixtures.adaptorSlow]];
const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));

interface Worker {
  child: ChildProcess;
  messages: FleetMessage[];
  until(predicate: (message: FleetMessage) => boolean): Promise<FleetMessage>;
}

async function startWorker(registry: LocalRegistry, root: string): Promise<Worker> {
  const cache = await mkdtemp(path.join(root, 'npm-cache-'));
  const child = fork(WORKER, {
    env: { ...process.env, ...registry.env, npm_config_cache: cache },
    execArgv: ['--import=tsx', '--no-warnings'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const messages: FleetMessage[] = [];
  child.on('message', (message: FleetMessage) => messages.push(message));
  const until = (predicate: (message: FleetMessage) => boolean): Promise<FleetMessage> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = messages.find(predicate);
        if (!found) return;
        child.off('message', check).off('exit', exited);
        resolve(found);
      };
      const exited = (): void => reject(new Error('bench worker exited early'));
      child.on('message', check).once('exit', exited);
      check();
    });
  await until((m) => m.type === 'ready');
  return { child, messages, until };
}

const finished = (worker: Worker): Promise<FleetMessage> => worker.until((m) => m.type === 'done' || m.type === 'failed');

/** One cold-fleet trial: wall time, npm installs per adaptor, failed workers and missing adaptors. */
async function coldFleet(registry: LocalRegistry, root: string, p: number, specifiers: string[], lockRepo: boolean) {
  const repoDir = await mkdtemp(path.join(root, 'repo-'));
  const workers = await Promise.all(Array.from({ length: p }, () => startWorker(registry, root)));
  try {
    const started = performance.now();
    workers.forEach(({ child }, i) => child.send({ repoDir, cacheDir: `${repoDir}-cache-${i}`, specifiers, lockRepo } satisfies FleetJob));
    const results = await Promise.all(workers.map(finished));
    const wallMs = performance.now() - started;
    const npmRuns = new Map<string, number>();
    for (const result of results) {
      if (result.type !== 'done') continue;
      for (const [module, outcome] of Object.entries(result.outcomes)) {
        if (outcome === 'installed' || outcome === 'lost-race') npmRuns.set(module, (npmRuns.get(module) ?? 0) + 1);
      }
    }
    const missing = (await Promise.all(specifiers.map(async (s) => (await readEntry(repoDir, aliasFor(s))).state === 'found'))).filter((ok) => !ok).length;
    const failures = results.filter((r) => r.type === 'failed').length + missing;
    return { wallMs, maxInstalls: Math.max(0, ...npmRuns.values()), totalInstalls: [...npmRuns.values()].reduce((a, b) => a + b, 0), failures };
  } finally {
    workers.forEach(({ child }) => child.kill());
  }
}

/** Holder SIGKILLed mid-install: ms from the kill until the waiter holds the lock, and until the adaptor is installed. */
async function recovery(registry: LocalRegistry, root: string, otherHost: boolean) {
  const repoDir = await mkdtemp(path.join(root, 'repo-'));
  const job = (who: string): FleetJob => ({ repoDir, cacheDir: `${repoDir}-cache-${who}`, specifiers: [fixtures.adaptorSlow], lockRepo: true, otherHost });
  const [holder, waiter] = await Promise.all([startWorker(registry, root), startWorker(registry, root)]);
  try {
    holder?.child.send(job('holder'));
    await holder?.until((m) => m.type === 'lock' && m.event.type === 'acquired');
    waiter?.child.send(job('waiter'));
    await waiter?.until((m) => m.type === 'lock' && m.event.type === 'wait');
    const killedAt = Number(process.hrtime.bigint() / 1_000_000n);
    holder?.child.kill('SIGKILL');
    const acquired = (await waiter?.until((m) => m.type === 'lock' && m.event.type === 'acquired')) as { at: number };
    const done = await (waiter ? finished(waiter) : Promise.reject(new Error('no waiter')));
    const installedAt = Number(process.hrtime.bigint() / 1_000_000n);
    if (done.type !== 'done' || (await readEntry(repoDir, aliasFor(fixtures.adaptorSlow))).state !== 'found') throw new Error('recovery failed');
    return { lockMs: acquired.at - killedAt, installedMs: installedAt - killedAt };
  } finally {
    [holder, waiter].forEach((worker) => worker?.child.kill('SIGKILL'));
  }
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  const root = await mkdtemp(path.join(os.tmpdir(), 'fleet-bench-fleet-'));
  try {
    const rows: Array<Array<string | number>> = [];
    const raw: unknown[] = [];
    for (const specifiers of ADAPTOR_SETS) {
      for (const p of PROCESSES) {
        for (const lockRepo of [true, false]) {
          const trials = [];
          for (let rep = 0; rep < REPS; rep++) trials.push(await coldFleet(registry, root, p, specifiers, lockRepo));
          const { min, median } = summarize(trials.map((trial) => trial.wallMs));
          const perAdaptor = trials.map((trial) => trial.totalInstalls / specifiers.length);
          rows.push([
            p,
            specifiers.length,
            lockRepo ? 'on' : 'off',
            min,
            median,
            `${Math.min(...perAdaptor).toFixed(1)}–${Math.max(...perAdaptor).toFixed(1)}`,
            Math.max(...trials.map((trial) => trial.maxInstalls)),
            trials.reduce((sum, trial) => sum + trial.failures, 0),
          ]);
          raw.push({ p, m: specifiers.length, lockRepo, trials });
          process.stderr.write(`  P=${p} M=${specifiers.length} lock ${lockRepo ? 'on' : 'off'}: done\n`);
        }
      }
    }
    printTable(
      `P processes need M adaptors at once on a cold shared repo (${REPS} repetitions; wall ms; npm installs per adaptor)`,
      ['P', 'M', 'lock', 'min ms', 'median ms', 'installs/adaptor', 'max installs of one', 'failures'],
      rows,
    );

    const recoveryRows: Array<Array<string | number>> = [];
    for (const otherHost of [false, true]) {
      const trials = [];
      for (let rep = 0; rep < REPS; rep++) trials.push(await recovery(registry, root, otherHost));
      const lock = summarize(trials.map((trial) => trial.lockMs));
      const installed = summarize(trials.map((trial) => trial.installedMs));
      recoveryRows.push([otherHost ? 'another host (stale window)' : 'same host (pid gone)', lock.min, lock.median, installed.median]);
      raw.push({ recovery: otherHost ? 'other-host' : 'same-host', trials });
      process.stderr.write(`  recovery ${otherHost ? 'other host' : 'same host'}: done\n`);
    }
    printTable(
      `Holder SIGKILLed mid-install, default lock settings (${REPS} repetitions; ms after the kill)`,
      ['holder seen as', 'lock taken min', 'lock taken median', 'installed median'],
      recoveryRows,
    );
    await saveResults('fleet', raw);
  } finally {
    await rm(root, { recursive: true, force: true });
    await registry.stop();
  }
}

await main();
