// pnpm bench:engine — what the engine costs per run once warm, with runs
// isolated as they are now (a fresh process per run, a spare prepared per
// adaptor set) beside the pooled realm they replaced (a process serving up to
// 50 runs), in the same run: latency of a trivial job with its adaptor
// installed (execute → workflow-complete, one run at a time, runs arriving
// GAP_MS apart), and throughput of RUNS runs submitted at once, for capacity 1
// and 4, with a small fixture adaptor and a large one (~8,000 files).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine, type Engine, type EngineOptions, type ExecutionPlan } from '@fleet/engine-multi';
import { fixtures, publishLargeAdaptor, startRegistry } from '@fleet/local-registry';
import { printTable, saveResults, summarize } from './table.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 250);
const CAPACITIES = [1, 4];

const APPROACHES = {
  pooled: { label: 'pooled realm (before)', options: { maxRunsPerProcess: 50, spareProcesses: 0 } },
  isolated: { label: 'fresh process per run', options: {} },
} satisfies Record<string, { label: string; options: Partial<EngineOptions> }>;
type Approach = keyof typeof APPROACHES;

let counter = 0;
const trivialPlan = (adaptor: string): ExecutionPlan => ({
  id: `bench-${++counter}`,
  workflow: { steps: [{ id: 'job', expression: 'fn(s => ({ ...s, n: 1 }));', adaptors: [adaptor] }] },
});

/** Resolves with the run's wall time in ms; rejects if it did not complete. */
function timedRun(engine: Engine, adaptor: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const run = engine.execute(trivialPlan(adaptor));
    run.once('workflow-complete', () => resolve(performance.now() - started));
    run.once('workflow-error', (error: { message: string }) => reject(new Error(error.message)));
  });
}

async function measure(root: string, adaptor: string, capacity: number, approach: Approach) {
  const engine = createEngine({
    repoDir: path.join(root, 'repo'),
    cacheDir: path.join(root, 'cache'),
    whitelist: [/^@fleet-fixtures\//],
    capacity,
    ...APPROACHES[approach].options,
  });
  try {
    // Install the adaptor and start the processes before timing anything.
    await Promise.all(Array.from({ length: capacity }, () => timedRun(engine, adaptor)));
    await sleep(GAP_MS * 4);
    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      latencies.push(await timedRun(engine, adaptor));
      await sleep(GAP_MS);
    }
    const started = performance.now();
    await Promise.all(Array.from({ length: RUNS }, () => timedRun(engine, adaptor)));
    const throughput = RUNS / ((performance.now() - started) / 1000);
    return { adaptor, capacity, approach, ...summarize(latencies), throughput, latencies };
  } finally {
    await engine.destroy();
  }
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  Object.assign(process.env, registry.env);
  const root = await mkdtemp(path.join(os.tmpdir(), 'fleet-bench-engine-'));
  try {
    const adaptors = { small: fixtures.languageJobs, large: await publishLargeAdaptor(registry.url) };
    const rows: Array<{ size: string } & Awaited<ReturnType<typeof measure>>> = [];
    for (const [size, adaptor] of Object.entries(adaptors)) {
      for (const capacity of CAPACITIES) {
        for (const approach of Object.keys(APPROACHES) as Approach[]) {
          rows.push({ size, ...(await measure(root, adaptor, capacity, approach)) });
          process.stderr.write(`  ${size} adaptor, capacity ${capacity}, ${approach}: done\n`);
        }
      }
    }
    printTable(
      `Warm runs of a trivial job: latency of ${RUNS} runs one at a time (arriving ${GAP_MS} ms apart), and throughput of ${RUNS} runs submitted at once`,
      ['adaptor', 'capacity', 'runs', 'latency min ms', 'median ms', 'p95 ms', 'runs/s'],
      rows.map((row) => [row.size, row.capacity, APPROACHES[row.approach].label, row.min, row.median, row.p95, row.throughput.toFixed(1)]),
    );
    const find = (size: string, capacity: number, approach: Approach) =>
      rows.find((row) => row.size === size && row.capacity === capacity && row.approach === approach)!;
    printTable(
      'Targets for a fresh process per run: warm median ≤ 100 ms and p95 ≤ 200 ms, throughput at capacity 4 ≥ 0.8× the pooled realm',
      ['adaptor', 'capacity', 'median ms', 'p95 ms', 'throughput ÷ pooled', 'met?'],
      Object.keys(adaptors).flatMap((size) =>
        CAPACITIES.map((capacity) => {
          const isolated = find(size, capacity, 'isolated');
          const ratio = isolated.throughput / find(size, capacity, 'pooled').throughput;
          const met = isolated.median <= 100 && isolated.p95 <= 200 && (capacity !== 4 || ratio >= 0.8);
          return [size, capacity, isolated.median, isolated.p95, `${ratio.toFixed(2)}×`, met ? 'yes' : 'NO'];
        }),
      ),
    );
    await saveResults('engine', rows);
  } finally {
    await rm(root, { recursive: true, force: true });
    await registry.stop();
  }
}

await main();
