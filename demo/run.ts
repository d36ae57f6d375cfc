// pnpm demo — a mock Lightning hands a batch of runs to two ws-worker processes
// that share one fresh repo directory. Real adaptors come from the npm
// registry; the summary shows every run's outcome, which worker installed each
// adaptor, and who waited for the install lock instead of installing it again.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { installReport, lightningPlan, startFleet, type LogLine } from '@fleet/fleet-e2e';
import { printTable } from '../bench/table.js';

const COMMON = '@openfn/language-common@3.3.4';
const HTTP = '@openfn/language-http@7.2.10';

const BATCH = [
  ...[1, 2, 3, 4].map((n) => lightningPlan([{ adaptor: COMMON, body: `fn(state => ({ ...state, data: { n: ${n}, square: ${n} * ${n} } }));` }])),
  ...[1, 2, 3].map((n) => lightningPlan([{ adaptor: HTTP, body: `fn(state => { console.log('run ${n} on language-http'); return state; });` }])),
  lightningPlan([
    { adaptor: COMMON, body: "fn(state => ({ ...state, data: { items: ['a', 'b', 'c'] } }));" },
    { adaptor: HTTP, body: 'fn(state => ({ ...state, data: { count: state.data.items.length } }));' },
  ]),
  lightningPlan([{ adaptor: COMMON, body: "fn(state => { throw new Error('this run fails on purpose'); });" }]),
  lightningPlan([{ adaptor: HTTP, body: 'fn(state => ({ ...state, data: { ok: true } }));' }]),
];

// Lines an operator would look at, as they happen.
const WORTH_SHOWING = /^(Installing |Installed |Materialized |Waiting for the install lock|Taking over|Lost the install lock|Gave up waiting)/;

async function checkRegistry(): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    await promisify(execFile)(npm, ['view', COMMON, 'version'], { timeout: 60_000 });
  } catch (error) {
    const registry = await promisify(execFile)(npm, ['config', 'get', 'registry']).then(
      ({ stdout }) => stdout.trim(),
      () => 'the npm registry',
    );
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').slice(-2).join(' ');
    console.error(`The demo installs real adaptors (${COMMON}, ${HTTP}) from ${registry}, which did not answer: ${detail}`);
    console.error('Check the network or your npm registry/proxy settings, then run `pnpm demo` again.');
    process.exit(1);
  }
}

async function main(): Promise<void> {
  await checkRegistry();
  console.log('Starting a mock Lightning and two workers sharing one fresh repo directory…');
  const fleet = await startFleet({
    workers: 2,
    capacity: 3,
    whitelist: '^@openfn/',
    onLog: (worker: string, line: LogLine) => {
      if (WORTH_SHOWING.test(line.msg)) console.log(`  [${worker}] ${line.msg}`);
    },
  });
  try {
    console.log(`Repo directory: ${fleet.repoDir}`);
    fleet.mock.on('claim', ({ workerName, runs }) => {
      if (runs.length > 0) console.log(`  [${workerName}] claimed ${runs.length} run${runs.length > 1 ? 's' : ''}`);
    });
    const ids = BATCH.map((plan) => fleet.mock.enqueueRun(plan, { dataclip: { data: {} } }));
    console.log(`Enqueued ${ids.length} runs at once.`);
    const runs = await fleet.mock.waitForAll(ids, { timeoutMs: 10 * 60_000 });

    const adaptorsOf = (plan: { jobs: Array<{ adaptor: string }> }): string =>
      [...new Set(plan.jobs.map((job) => job.adaptor.replace('@openfn/language-', '')))].join(' + ');
    printTable(
      'Runs',
      ['run', 'adaptors', 'worker', 'status', 'error'],
      runs.map((run) => [run.id.slice(0, 8), adaptorsOf(run.plan), run.workerName ?? '-', run.status, run.errorMessage ?? '']),
    );
    const { installs, lockWaits } = installReport(fleet.workers);
    const aliases = [...new Set([...Object.keys(installs), ...Object.keys(lockWaits)])].sort();
    printTable(
      'Adaptor installs into the shared repo',
      ['adaptor', 'npm installs', 'installed by', 'waited for the lock instead'],
      aliases.map((alias) => [alias, installs[alias]?.length ?? 0, (installs[alias] ?? []).join(', '), (lockWaits[alias] ?? []).join(', ') || '-']),
    );
    const ok = runs.filter((run) => run.status === 'success').length;
    const duplicated = aliases.filter((alias) => (installs[alias]?.length ?? 0) > 1);
    console.log(`${ok} of ${runs.length} runs succeeded (one fails on purpose).`);
    console.log(
      duplicated.length === 0
        ? 'Each adaptor version was installed once for the whole fleet.'
        : `Installed more than once: ${duplicated.join(', ')}.`,
    );
  } finally {
    await fleet.stop();
  }
}

await main();
