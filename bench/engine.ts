// pnpm bench:engine — what the engine costs per run once warm: latency of a
// trivial job with its adaptor installed (execute → workflow-complete, one run
// at a time) and throughput with 100 runs submitted at once, for capacity 1 and 4.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type Engine, type ExecutionPlan } from '@fleet/engine-multi';
import { fixtures, startRegistry } from '@fleet/local-registry';
import { printTable, saveResults, summarize } from './table.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const CAPACITIES = [1, 4];

let counter = 0;
const trivialPlan = (): ExecutionPlan => ({
  id: `bench-${++counter}`,
  workflow: { steps: [{ id: 'job', expression: 'fn(s => ({ ...s, n: 1 }));', adaptors: [fixtures.languageJobs] }] },
});

/** Resolves with the run's wall time in ms; rejects if it did not complete. */
function timedRun(engine: Engine): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const run = engine.execute(trivialPlan());
    run.once('workflow-complete', () => resolve(performance.now() - started));
    run.once('workflow-error', (error: { message: string }) => reject(new Error(error.message)));
  });
}

async function measure(repoDir: string, capacity: number) {
  const engine = createEngine({ repoDir, cacheDir: `${repoDir}-cache`, whitelist: [/^@fleet-fixtures\//], capacity });
  try {
    // Install the adaptor and start the pooled processes before timing anything.
    await Promise.all(Array.from({ length: capacity }, () => timedRun(engine)));
    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i++) latencies.push(await timedRun(engine));
    const started = performance.now();
    await Promise.all(Array.from({ length: RUNS }, () => timedRun(engine)));
    const throughput = RUNS / ((performance.now() - started) / 1000);
    return { capacity, ...summarize(latencies), throughput, latencies };
  } finally {
    await engine.destroy();
  }
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  Object.assign(process.env, registry.env);
  const root = await mkdtemp(path.join(os.tmpdir(), 'fleet-bench-engine-'));
  try {
    const rows = [];
    for (const capacity of CAPACITIES) {
      rows.push(await measure(path.join(root, 'repo'), capacity));
      process.stderr.write(`  capacity ${capacity}: done\n`);
    }
    printTable(
      `Warm runs of a trivial job: latency of ${RUNS} runs one at a time, and throughput of ${RUNS} runs submitted at once`,
      ['capacity', 'latency min ms', 'median ms', 'p95 ms', 'runs/s'],
      rows.map((row) => [row.capacity, row.min, row.median, row.p95, row.throughput.toFixed(1)]),
    );
    await saveResults('engine', rows);
  } finally {
    await rm(root, { recursive: true, force: true });
    await registry.stop();
  }
}

await main();
