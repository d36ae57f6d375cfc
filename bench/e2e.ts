// pnpm bench:e2e — the whole stack: a mock Lightning, ws-worker processes, the
// engine and npm from a local registry. (1) Cold fleet: 2 workers share a fresh
// repo and get 10 runs on 2 adaptors with common dependencies at once, 5 times:
// wall time, npm installs per adaptor, failed runs. (2) Warm latency: 50 trivial
// runs one after another, from enqueue to run:complete at the mock.
import { fixtures, startRegistry } from '@fleet/local-registry';
import { installReport, lightningPlan, startFleet } from '@fleet/fleet-e2e';
import { printTable, saveResults, summarize } from './table.js';

const TRIALS = Number(process.env.BENCH_REPS ?? 5);
const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 50);
const ADAPTORS = [fixtures.languageJobs, fixtures.languageExtra];
const WHITELIST = '^@fleet-fixtures/';

const coldBatch = () =>
  Array.from({ length: 10 }, (_, i) => lightningPlan([{ adaptor: ADAPTORS[i % 2] as string, body: 'fn(s => ({ ...s, done: true }));' }]));

async function main(): Promise<void> {
  const registry = await startRegistry();
  const env = { ...process.env, ...registry.env };
  try {
    const cold = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const fleet = await startFleet({ workers: 2, capacity: 5, whitelist: WHITELIST, env });
      try {
        const started = performance.now();
        const runs = await fleet.mock.waitForAll(coldBatch().map((plan) => fleet.mock.enqueueRun(plan)), { timeoutMs: 300_000 });
        const wallMs = performance.now() - started;
        const installs = Object.values(installReport(fleet.workers).installs).map((by) => by.length);
        cold.push({ wallMs, maxInstalls: Math.max(0, ...installs), failed: runs.filter((run) => run.status !== 'success').length });
      } finally {
        await fleet.stop();
      }
      process.stderr.write(`  cold fleet trial ${trial + 1}: done\n`);
    }
    const wall = summarize(cold.map((trial) => trial.wallMs));
    printTable(
      `Cold fleet: 2 workers, 10 runs on 2 adaptors sharing dependencies, fresh repo (${TRIALS} trials)`,
      ['wall min ms', 'wall median ms', 'max npm installs of one adaptor', 'failed runs'],
      [[wall.min, wall.median, Math.max(...cold.map((trial) => trial.maxInstalls)), cold.reduce((sum, trial) => sum + trial.failed, 0)]],
    );

    const fleet = await startFleet({ workers: 1, capacity: 1, whitelist: WHITELIST, env });
    const latencies: number[] = [];
    try {
      const warmPlan = () => lightningPlan([{ adaptor: fixtures.languageJobs, body: 'fn(s => s);' }]);
      await fleet.mock.waitForRun(fleet.mock.enqueueRun(warmPlan()), { timeoutMs: 120_000 });
      for (let i = 0; i < WARM_RUNS; i++) {
        const started = performance.now();
        const run = await fleet.mock.waitForRun(fleet.mock.enqueueRun(warmPlan()), { timeoutMs: 60_000 });
        if (run.status !== 'success') throw new Error(`warm run ${run.id} ended ${run.status}: ${run.errorMessage ?? ''}`);
        latencies.push(performance.now() - started);
      }
    } finally {
      await fleet.stop();
    }
    const latency = summarize(latencies);
    printTable(
      `Warm run latency through the whole stack, enqueue → run:complete (${WARM_RUNS} trivial runs, one at a time, ms)`,
      ['min', 'median', 'p95'],
      [[latency.min, latency.median, latency.p95]],
    );
    await saveResults('e2e', { cold, latencies });
  } finally {
    await registry.stop();
  }
}

await main();
