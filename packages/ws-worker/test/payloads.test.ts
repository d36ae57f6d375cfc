import { readFile } from 'node:fs/promises';
import test from 'ava';
import type { RunDetails } from '@fleet/lightning-mock';
import { cleanEnv, startCli } from './helpers/run-cli.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { eventually, JOBS, jobPlan, SECRET, startMock, startTestWorker, useRegistryAndRepo, workerConfig } from './helpers/stack.js';

// Lightning's limits through the whole worker and the mock: real run
// processes, real adaptors from the local registry.

const repo = useRegistryAndRepo();

const MB = 1024 * 1024;

const stepCompletes = (run: RunDetails) => run.events.filter((event) => event.event === 'step:complete').map((event) => event.payload as Record<string, unknown>);
const jobLines = (run: RunDetails) => run.logs.filter((line) => line.source === 'JOB').map((line) => line.message[0]);
const runtimeLines = (run: RunDetails) => run.logs.filter((line) => line.source === 'R/T').map((line) => String(line.message[0]));

/** Lines the worker or the run process said were dropped, by their notes. */
const droppedCount = (run: RunDetails): number =>
  runtimeLines(run).reduce((sum, line) => sum + Number(/^(\d+) log lines? dropped/.exec(line)?.[1] ?? 0), 0);

// The worker's peak resident memory, as the kernel counted it.
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}

const WORKER_PEAK_RSS_BOUND_MB = 250;

test.serial(`12 MB and 110 MB outputs are withheld as DATACLIP_TOO_LARGE, their runs complete, an innocent run beside them succeeds, and the worker stays under ${WORKER_PEAK_RSS_BOUND_MB} MB`, async (t) => {
  const mock = await startMock(t);
  const cli = startCli(
    ['--lightning', mock.url, '--port', '0', '--capacity', '3', '--repo-dir', repo.dir, '--cache-dir', `${repo.dir}-cache`, '--whitelist', '^@fleet-fixtures/', '--backoff', '0.05/0.2'],
    cleanEnv({ WORKER_SECRET: SECRET }),
  );
  t.teardown(() => void cli.child.kill('SIGKILL'));
  await cli.waitForLine(/Joined worker:queue/);
  const big = (mb: number) =>
    mock.enqueueRun({
      jobs: [
        { id: 'big', adaptor: JOBS, body: `fn(s => ({ data: { blob: "x".repeat(${mb} * 1024 * 1024) } }));` },
        { id: 'after', adaptor: JOBS, body: 'fn(s => ({ data: { length: s.data.blob.length } }));' },
      ],
      edges: [{ id: 'e', source_job_id: 'big', target_job_id: 'after', condition: 'on_job_success' }],
    });
  const ids = [big(12), big(110), mock.enqueueRun(jobPlan('fn(s => ({ data: { innocent: true } }));'))];
  const [twelve, hundredTen, innocent] = await mock.waitForAll(ids, { timeoutMs: 120_000 });
  for (const [run, mb] of [[twelve!, 12], [hundredTen!, 110]] as const) {
    t.is(run.status, 'success', JSON.stringify(run.errorMessage));
    const [withheld, after] = stepCompletes(run);
    t.is(withheld?.output_dataclip_error, 'DATACLIP_TOO_LARGE');
    t.false('output_dataclip_id' in withheld! || 'output_dataclip' in withheld!);
    t.is(after?.output_dataclip, JSON.stringify({ data: { length: mb * MB } }), 'the next step still got the whole output');
    const inputOfAfter = run.events.filter((event) => event.event === 'step:start')[1]?.payload as Record<string, unknown>;
    t.false('input_dataclip_id' in inputOfAfter, 'no input id: Lightning never stored the withheld output');
    t.true(runtimeLines(run).some((line) => line.startsWith(`The output of step big (${mb} MB) is over the payload limit of 10 MB: it is not sent to Lightning (DATACLIP_TOO_LARGE)`)));
  }
  t.is(innocent?.status, 'success');
  t.deepEqual(innocent?.finalState, { data: { innocent: true } });
  const peak = await peakRssMb(cli.child.pid!);
  t.log(`worker peak RSS: ${peak.toFixed(0)} MB`);
  t.true(peak < WORKER_PEAK_RSS_BOUND_MB, `the worker peaked at ${peak.toFixed(0)} MB`);
});

test.serial("a plan's payload_limit_mb lowers the worker's limit for its run and never raises it", async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir, { capacity: 2 }));
  const output = (mb: number) => `fn(s => ({ data: "y".repeat(${mb} * 1024 * 1024) }));`;
  const ids = [
    mock.enqueueRun(jobPlan(output(1), { options: { payload_limit_mb: 0.5 } })),
    mock.enqueueRun(jobPlan(output(11), { options: { payload_limit_mb: 50 } })),
  ];
  const [lowered, capped] = await mock.waitForAll(ids, { timeoutMs: 60_000 });
  for (const [run, limit] of [[lowered!, 0.5], [capped!, 10]] as const) {
    t.is(run.status, 'success');
    t.is(stepCompletes(run)[0]?.output_dataclip_error, 'DATACLIP_TOO_LARGE');
    t.true(runtimeLines(run).some((line) => line.includes(`over the payload limit of ${limit} MB`)));
  }
});

test.serial('a 2 MB log line reaches Lightning as a line saying it was redacted, and the lines around it arrive', async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir));
  const id = mock.enqueueRun(jobPlan('fn(s => { console.log("before"); console.log("z".repeat(2 * 1024 * 1024)); console.log("after"); return s; });'));
  const run = await mock.waitForRun(id, { timeoutMs: 60_000 });
  t.is(run.status, 'success');
  t.deepEqual(jobLines(run), ['before', '(Log message redacted: it was 2 MB, over the log payload limit of 1 MB)', 'after']);
});

const flood = (lines: number): string => `fn(s => { for (let i = 0; i < ${lines}; i++) console.log(i); return s; });`;

for (const [lines, batch] of [
  [20_000, false],
  [200_000, true],
] as const) {
  test.serial(`${lines.toLocaleString('en')} lines${batch ? ' with --batch-logs' : ''}: each line arrives once, in order, or is counted in a note`, async (t) => {
    const mock = await startMock(t);
    await startTestWorker(t, workerConfig(mock.url, repo.dir, { batchLogs: batch, runTimeoutMs: 120_000 }));
    const id = mock.enqueueRun(jobPlan(flood(lines)));
    const run = await mock.waitForRun(id, { timeoutMs: 180_000 });
    t.is(run.status, 'success');
    const delivered = jobLines(run) as number[];
    t.true(delivered.every((value, i) => i === 0 || value > delivered[i - 1]!), 'in order, none twice');
    t.is(delivered.length + droppedCount(run), lines, `${delivered.length} delivered, ${droppedCount(run)} counted as dropped`);
    t.log(`${delivered.length} delivered, ${droppedCount(run)} dropped`);
    if (batch) t.true(run.events.some((event) => event.event === 'run:batch_logs'));
  });
}

test.serial('a connection dropped mid-run: lines sent again are stored once, and none is lost', async (t) => {
  const mock = await startMock(t, { lostGraceMs: 30_000 });
  const proxy = await TcpProxy.start(mock.port);
  t.teardown(() => proxy.close());
  const { logs } = await startTestWorker(t, workerConfig(`ws://127.0.0.1:${proxy.port}/worker`, repo.dir), { reconnectAfterMs: () => 100 });
  const body = 'fn(async (s) => { for (let i = 0; i < 400; i++) { console.log(i); await new Promise((r) => setTimeout(r, 2)); } return s; });';
  const id = mock.enqueueRun(jobPlan(body));
  await eventually(() => (mock.getRun(id)?.logs.length ?? 0) > 50, 'lines to flow');
  proxy.cut();
  await eventually(() => logs.some((line) => line.startsWith('Disconnected from Lightning')), 'the worker to notice the disconnect');
  proxy.open();
  const run = await mock.waitForRun(id, { timeoutMs: 60_000 });
  t.is(run.status, 'success');
  t.deepEqual(jobLines(run), Array.from({ length: 400 }, (_, i) => i));
  const ids = run.logs.map((line) => line.id);
  t.is(new Set(ids).size, ids.length);
});

test.serial("job_log_level none: Lightning gets no line of the job's, and the run's own lines still", async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir));
  const id = mock.enqueueRun(jobPlan('fn(s => { console.log("private"); console.warn("also private"); return s; });', { options: { job_log_level: 'none' } }));
  const run = await mock.waitForRun(id, { timeoutMs: 60_000 });
  t.is(run.status, 'success');
  t.deepEqual(jobLines(run), []);
  t.false(JSON.stringify(run.logs).includes('private'));
  t.true(runtimeLines(run).includes('Run complete with status: success'));
});

test.serial('a multi-leaf cron workflow run 5 times on its own final state does not grow', async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir));
  const plan = {
    triggers: [{ id: 'cron', type: 'cron' }],
    jobs: [
      { id: 'fetch', adaptor: JOBS, body: 'fn(s => ({ data: { cursor: (s.data?.cursor ?? s.keep?.data?.cursor ?? 0) + 1 } }));' },
      { id: 'keep', adaptor: JOBS, body: 'fn(s => s);' },
      { id: 'notify', adaptor: JOBS, body: 'fn(s => ({ data: {} }));' },
    ],
    edges: [
      { id: 'e0', source_trigger_id: 'cron', target_job_id: 'fetch', condition: 'always' },
      { id: 'e1', source_job_id: 'fetch', target_job_id: 'keep', condition: 'on_job_success' },
      { id: 'e2', source_job_id: 'fetch', target_job_id: 'notify', condition: 'on_job_success' },
    ],
  };
  let state: unknown = {};
  const sizes: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const run = await mock.waitForRun(mock.enqueueRun(plan, { dataclip: state }), { timeoutMs: 60_000 });
    t.is(run.status, 'success');
    state = run.finalState;
    sizes.push(JSON.stringify(state).length);
  }
  t.deepEqual(state, { keep: { data: { cursor: 5 } } });
  t.is(new Set(sizes).size, 1, `final state sizes: ${sizes.join(', ')}`);
});
