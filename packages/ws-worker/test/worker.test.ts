import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { generateRunKeys } from '@fleet/lightning-mock';
import { fixtures } from '@fleet/local-registry';
import { TcpProxy } from './helpers/tcp-proxy.js';
import {
  eventNames,
  JOBS,
  eventually,
  jobPlan,
  nextEvent,
  startMock,
  startTestWorker,
  useRegistryAndRepo,
  waitingJob,
  workerConfig,
} from './helpers/stack.js';

// The whole worker in this process (HTTP server, Lightning client, claim loop,
// real engine) against the Lightning mock, with adaptors installed from the
// local registry into one repo directory shared by the file's tests.

const repo = useRegistryAndRepo();

const messagesOf = (run: { logs: Array<{ message: unknown[] }> }): string[] => run.logs.flatMap((line) => line.message.map(String));

test.serial('a claimed run is executed and every event reported; /livez and /metrics tell an operator', async (t) => {
  const mock = await startMock(t);
  const { worker } = await startTestWorker(t, workerConfig(mock.url, repo.dir));
  const id = mock.enqueueRun(jobPlan("setData(s => ({ n: s.data.n + 1 }));\nlog('from the adaptor');"), { dataclip: { data: { n: 1 } } });

  const run = await mock.waitForRun(id, { timeoutMs: 60_000 });
  t.is(run.status, 'success', JSON.stringify(run));
  t.is(run.workerName, 'it-worker');
  const names = eventNames(run);
  t.deepEqual(names.slice(0, 3), ['fetch:plan', 'fetch:dataclip', 'run:start']);
  t.is(names.at(-1), 'run:complete');
  t.deepEqual(names.filter((name) => name.startsWith('step:')), ['step:start', 'step:complete']);
  t.true(messagesOf(run).includes('from the adaptor'));
  t.deepEqual(run.finalState, { data: { n: 2 } });

  t.is((await fetch(`${worker.url}/livez`)).status, 200);
  const metrics = await (await fetch(`${worker.url}/metrics`)).text();
  t.regex(metrics, /^fleet_worker_runs_claimed_total 1$/m);
  t.regex(metrics, /^fleet_worker_runs_completed_total\{reason="success"\} 1$/m);
  t.regex(metrics, /^fleet_worker_autoinstall_total\{outcome="(installed|already-installed)"\} 1$/m);
});

test.serial('a failing job fails its run, and the worker goes on to the next', async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir));
  const failing = mock.enqueueRun(jobPlan("fail('the API said no');"));
  const next = mock.enqueueRun(jobPlan('fn(s => s);'));

  const [failed, succeeded] = await mock.waitForAll([failing, next], { timeoutMs: 60_000 });
  t.like(failed, { status: 'failed', errorType: 'AdaptorError' });
  t.regex(String(failed?.errorMessage), /the API said no/);
  t.is(succeeded?.status, 'success');
});

test.serial('a failed fetch:plan ends that run as an exception; the worker goes on to the next', async (t) => {
  const mock = await startMock(t);
  const { logs } = await startTestWorker(t, workerConfig(mock.url, repo.dir));
  const broken = mock.enqueueRun(jobPlan('fn(s => s);'), { refuse: { 'fetch:plan': 'unavailable' } });
  const next = mock.enqueueRun(jobPlan('fn(s => s);'));

  const [failed, succeeded] = await mock.waitForAll([broken, next], { timeoutMs: 60_000 });
  t.like(failed, { status: 'exception', errorType: 'FetchPlanError', errorMessage: `Failed to fetch the plan of run ${broken}: [fetch:plan] unavailable` });
  t.is(succeeded?.status, 'success');
  t.true(logs.some((line) => line.startsWith(`Run ${broken} complete: exception (FetchPlanError`)));
});

test.serial('a run token that fails verification ends that run only; the right key runs it', async (t) => {
  const lightningKeys = generateRunKeys();
  const mock = await startMock(t, { runPrivateKey: lightningKeys.privateKey });
  const wrongKey = workerConfig(mock.url, repo.dir, { lightningPublicKey: generateRunKeys().publicKey });
  const { worker, logs } = await startTestWorker(t, wrongKey);
  const refused = [mock.enqueueRun(jobPlan('fn(s => s);')), mock.enqueueRun(jobPlan('fn(s => s);'))];

  for (const run of await mock.waitForAll(refused, { timeoutMs: 60_000 })) {
    t.like(run, { status: 'exception', errorType: 'RunTokenError' });
    t.false(eventNames(run).includes('run:start'), 'nothing was executed');
  }
  t.false(logs.some((line) => line.startsWith('Disconnected')), 'the worker stayed connected throughout');
  await worker.stop();

  await startTestWorker(t, workerConfig(mock.url, repo.dir, { lightningPublicKey: mock.runPublicKey }));
  const verified = mock.enqueueRun(jobPlan('fn(s => s);'));
  t.is((await mock.waitForRun(verified, { timeoutMs: 60_000 })).status, 'success');
});

test.serial('a disconnect mid-run: the run goes on, its events arrive after the reconnect, and it succeeds', async (t) => {
  const mock = await startMock(t, { lostGraceMs: 30_000 });
  const proxy = await TcpProxy.start(mock.port);
  t.teardown(() => proxy.close());
  const { logs } = await startTestWorker(t, workerConfig(`ws://127.0.0.1:${proxy.port}/worker`, repo.dir), { reconnectAfterMs: () => 100 });
  const id = mock.enqueueRun(jobPlan(waitingJob(1500)));

  await nextEvent(mock, id, 'step:start');
  proxy.cut();
  await eventually(() => logs.some((line) => line.startsWith('Disconnected from Lightning')), 'the worker to notice the disconnect');
  proxy.open();

  const run = await mock.waitForRun(id, { timeoutMs: 60_000 });
  t.is(run.status, 'success', JSON.stringify(run));
  t.true(messagesOf(run).includes('waited'), 'a log line of the run made it across');
  t.is(eventNames(run).filter((name) => name === 'run:complete').length, 1);
  t.true(logs.includes('Joined worker:queue: claiming runs'));
  t.is(logs.filter((line) => line.startsWith('Joined worker:queue')).length, 2, 'the queue was rejoined after the reconnect');
});

test.serial('capacity: never more runs at once than its capacity, and every slot is used', async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir, { capacity: 2 }));
  let running = 0;
  let most = 0;
  mock.on('event', ({ event }) => {
    if (event === 'run:start') most = Math.max(most, ++running);
    if (event === 'run:complete') running -= 1;
  });
  const ids = Array.from({ length: 4 }, () => mock.enqueueRun(jobPlan(waitingJob(400))));

  const runs = await mock.waitForAll(ids, { timeoutMs: 60_000 });
  t.deepEqual(
    runs.map((run) => run.status),
    ['success', 'success', 'success', 'success'],
  );
  t.is(most, 2);
});

test.serial('stop: a run in flight finishes within the shutdown timeout, and no new run is claimed', async (t) => {
  const mock = await startMock(t);
  const { worker, logs } = await startTestWorker(t, workerConfig(mock.url, repo.dir, { shutdownTimeoutMs: 30_000 }));
  const inFlight = mock.enqueueRun(jobPlan(waitingJob(1000)));
  await nextEvent(mock, inFlight, 'step:start');

  const stopping = worker.stop();
  const later = mock.enqueueRun(jobPlan('fn(s => s);'));
  await stopping;
  t.is(mock.getRun(inFlight)?.status, 'success');
  t.is(mock.getRun(later)?.status, 'queued');
  t.true(logs.includes('Shutdown complete'));
});

test.serial('stop: a run that outlasts the shutdown timeout is killed and reported as killed', async (t) => {
  const mock = await startMock(t);
  const { worker } = await startTestWorker(t, workerConfig(mock.url, repo.dir, { shutdownTimeoutMs: 300 }));
  const id = mock.enqueueRun(jobPlan(waitingJob(60_000)));
  await nextEvent(mock, id, 'step:start');

  await worker.stop();
  const run = mock.getRun(id);
  t.like(run, { status: 'killed', errorType: 'ShutdownError' });
  t.deepEqual(eventNames(run!).slice(-1), ['run:complete']);
  t.true(eventNames(run!).includes('step:complete'), 'the interrupted step was closed');
});

// The escapes of a hostile job author: each run fails or finds nothing, the worker
// stays up, and the innocent runs around them succeed with their own data.
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

test.serial('steps named __proto__ and constructor run like any other, and the run succeeds', async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir));
  const id = mock.enqueueRun({
    jobs: [
      { id: '__proto__', adaptor: JOBS, body: 'fn(s => ({ data: { first: true } }));' },
      { id: 'constructor', adaptor: JOBS, body: 'fn(s => ({ data: { ...s.data, second: true } }));' },
    ],
    edges: [{ id: 'e', source_job_id: '__proto__', target_job_id: 'constructor', condition: 'on_job_success' }],
  });
  const run = await mock.waitForRun(id, { timeoutMs: 60_000 });
  t.is(run.status, 'success', JSON.stringify(run.errorMessage));
  t.deepEqual(
    run.events.filter((event) => event.event === 'step:complete').map((event) => (event.payload as { job_id: string }).job_id),
    ['__proto__', 'constructor'],
  );
  t.deepEqual(run.finalState, { data: { first: true, second: true } });
});

const readyz = async (url: string): Promise<{ status: number; text: string }> => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, text: await response.text() };
};

test.serial('/readyz: 503 with the reason for a wrong secret, during a disconnect and during shutdown; 200 while claiming', async (t) => {
  const wrong = await startMock(t);
  const { worker: refused } = await startTestWorker(t, workerConfig(wrong.url, repo.dir, { secret: 'not-the-secret' }));
  await eventually(async () => (await readyz(refused.url)).text.includes('401'), 'the refused worker to say why it is not ready');
  t.is((await readyz(refused.url)).status, 503);
  t.regex((await readyz(refused.url)).text, /^not ready: not connected to Lightning at .*\(Unexpected server response: 401\)\n$/);

  const mock = await startMock(t, { lostGraceMs: 30_000 });
  const proxy = await TcpProxy.start(mock.port);
  t.teardown(() => proxy.close());
  const { worker } = await startTestWorker(t, workerConfig(`ws://127.0.0.1:${proxy.port}/worker`, repo.dir), { reconnectAfterMs: () => 100 });
  await eventually(async () => (await readyz(worker.url)).status === 200, 'the worker to be ready');
  t.regex((await readyz(worker.url)).text, /^ready: connected to Lightning and claiming runs from worker:queue\n$/);
  proxy.cut();
  await eventually(async () => (await readyz(worker.url)).status === 503, 'the worker to be not ready while disconnected');
  proxy.open();
  await eventually(async () => (await readyz(worker.url)).status === 200, 'the worker to be ready again after the reconnect');

  const id = mock.enqueueRun(jobPlan(waitingJob(1500)));
  await nextEvent(mock, id, 'step:start');
  const stopped = worker.stop();
  t.deepEqual(await readyz(worker.url), { status: 503, text: 'not ready: shutting down\n' });
  await stopped;
  t.is((await mock.waitForRun(id)).status, 'success');
});

test.serial('two workloops: a manual run overtakes a backlog; the join and each claim say which queues', async (t) => {
  const mock = await startMock(t);
  const backlog = Array.from({ length: 4 }, () => mock.enqueueRun(jobPlan(waitingJob(200))));
  const manual = mock.enqueueRun(jobPlan('fn(s => s);'), { queue: 'manual' });
  const claimed: string[] = [];
  const claimQueues = new Set<string>();
  mock.on('claim', ({ runs, queues }) => {
    claimed.push(...runs.map((run) => run.id));
    claimQueues.add(JSON.stringify(queues));
  });
  const joined = new Promise<unknown>((resolve) => mock.on('join', ({ topic, payload }) => topic === 'worker:queue' && resolve(payload)));
  const workloops = [
    { queues: ['manual', '*'], capacity: 1 },
    { queues: ['*'], capacity: 1 },
  ];
  await startTestWorker(t, workerConfig(mock.url, repo.dir, { workloops }));
  t.deepEqual(await joined, { capacity: 2, queues: { 'manual>*': 1, '*': 1 } });
  const runs = await mock.waitForAll([...backlog, manual], { timeoutMs: 60_000 });
  t.true(runs.every((run) => run.status === 'success'));
  t.true(claimed.indexOf(manual) < claimed.indexOf(backlog[1]!), `claimed in the order ${claimed.join(', ')}`);
  t.deepEqual([...claimQueues].sort(), ['["*"]', '["manual","*"]']);
});

test.serial("a two-step run's log tells its story at level info: limits, each step's start, duration and memory, the status", async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir, { memoryLimitMb: 300, runTimeoutMs: 60_000 }));
  const id = mock.enqueueRun({
    jobs: [
      { id: 'j1', name: 'fetch', adaptor: JOBS, body: 'fn(s => ({ data: { n: 1 } }));' },
      { id: 'j2', adaptor: JOBS, body: 'fn(s => ({ data: { n: s.data.n + 1 } }));' },
    ],
    edges: [{ id: 'e', source_job_id: 'j1', target_job_id: 'j2', condition: 'on_job_success' }],
  });
  const run = await mock.waitForRun(id, { timeoutMs: 60_000 });
  t.is(run.status, 'success');
  const story = run.logs.filter((line) => line.source === 'RTE' || line.source === 'R/T');
  t.true(story.every((line) => line.level === 'info'), JSON.stringify(story.map((line) => line.level)));
  const text = story.map((line) => String(line.message[0]).replace(/\d+\.\d{3}s/, 'Ns').replace(/\d+ MB/g, 'N MB'));
  t.deepEqual(text, [
    'Memory limit: 300mb',
    'Timeout: 60s',
    'Payload limit: 10mb',
    'Log payload limit: 1mb',
    'Starting step fetch',
    'fetch completed in Ns',
    'Memory after fetch: N MB of heap in use, N MB resident',
    'Starting step j2',
    'j2 completed in Ns',
    'Memory after j2: N MB of heap in use, N MB resident',
    'Run complete with status: success',
  ]);
});

test.serial('two workers of one name tell Lightning apart: each process has a worker id of its own', async (t) => {
  const mock = await startMock(t);
  const ids: Array<string | null> = [];
  mock.on('connect', ({ workerId }) => void ids.push(workerId));
  await startTestWorker(t, workerConfig(mock.url, repo.dir));
  await startTestWorker(t, workerConfig(mock.url, repo.dir));
  await eventually(() => ids.length === 2, 'both workers to connect');
  t.true(ids.every((id) => /^it-worker-[0-9a-f]{8}$/.test(id ?? '')), ids.join(', '));
  t.not(ids[0], ids[1]);
});

test.serial('with a Sentry DSN, an event Lightning refused is reported with the run and event, and no credential or state', async (t) => {
  const envelopes: string[] = [];
  const sentry = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      envelopes.push((request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString());
      response.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => sentry.listen(0, '127.0.0.1', resolve));
  t.teardown(() => void sentry.close());
  const dsn = `http://publickey@127.0.0.1:${(sentry.address() as AddressInfo).port}/1`;
  const mock = await startMock(t);
  const { worker } = await startTestWorker(t, workerConfig(mock.url, repo.dir, { sentryDsn: dsn, sentryEnv: 'test' }));
  const body = 'fn(s => ({ data: { secretData: "STATE-SHOULD-NOT-LEAK" } }));';
  const id = mock.enqueueRun({ jobs: [{ id: 'job', adaptor: JOBS, body, credential_id: 'c1' }] }, {
    credentials: { c1: { password: 'CREDENTIAL-SHOULD-NOT-LEAK' } },
    refuse: { 'run:start': 'not today' },
  });
  t.is((await mock.waitForRun(id, { timeoutMs: 60_000 })).status, 'success');
  await worker.stop();
  const reports = envelopes.join('\n');
  t.regex(reports, /"where":"run-event"/);
  t.true(reports.includes(`"run_id":"${id}"`));
  t.regex(reports, /"event":"run:start"/);
  t.regex(reports, /not today/);
  t.regex(reports, /"environment":"test"/);
  t.false(reports.includes('CREDENTIAL-SHOULD-NOT-LEAK'));
  t.false(reports.includes('STATE-SHOULD-NOT-LEAK'));
});

test.serial("collections: a job that uses them gets the adaptor and its run's token, and reads and writes the mock's collection", async (t) => {
  const mock = await startMock(t);
  mock.createCollection('tags');
  const collections = { url: `${mock.httpUrl}/collections`, version: 'latest' };
  const { logs } = await startTestWorker(t, workerConfig(mock.url, repo.dir, { collections, whitelist: [/^@fleet-fixtures\//, /^@openfn\/language-collections$/] }));
  t.true(logs.includes('Collections on: jobs that use them get @openfn/language-collections@1.0.0'), 'latest is looked up once, at start');
  const body = "collections.set('tags', 'a', { n: 1 });\ncollections.get('tags', 'a');\nfn(s => ({ data: { got: s.data, configuration: Object.keys(s.configuration).sort() } }));";
  const id = mock.enqueueRun(jobPlan(body, { project_id: 'p-1' }));
  const run = await mock.waitForRun(id, { timeoutMs: 60_000 });
  t.is(run.status, 'success', JSON.stringify(run.errorMessage));
  t.deepEqual(run.finalState, { data: { got: { n: 1 }, configuration: ['collections_endpoint', 'collections_token', 'project_id'] } });
  t.deepEqual(mock.getCollection('tags'), { a: { n: 1 } });
  const versions = (run.events.find((event) => event.event === 'run:start')?.payload as { versions: Record<string, unknown> }).versions;
  t.deepEqual(versions['@openfn/language-collections'], ['1.0.0']);
});

test.serial('bad plans from Lightning: a null job is refused naming it; a huge timeout and a greedy memory limit are capped, and the run succeeds', async (t) => {
  const mock = await startMock(t);
  await startTestWorker(t, workerConfig(mock.url, repo.dir, { capacity: 2, memoryLimitMb: 300 }));
  const good = jobPlan('fn(s => ({ data: { ok: true } }));');
  // Its id is not the run's: the worker refuses the shape before it compares ids.
  const nullJob = mock.enqueueRun(good, { planReply: { id: 'placeholder', jobs: [null] } });
  const capped = mock.enqueueRun({ ...good, options: { run_timeout_ms: 3_000_000_000, run_memory_limit_mb: 1200 } });
  const refused = await mock.waitForRun(nullJob, { timeoutMs: 60_000 });
  t.like(refused, { status: 'exception', errorType: 'InvalidPlanError' });
  t.regex(String(refused.errorMessage), /jobs\[0\] must be an object/);
  const run = await mock.waitForRun(capped, { timeoutMs: 60_000 });
  t.is(run.status, 'success');
  const limits = run.logs.filter((line) => line.source === 'RTE').map((line) => String(line.message[0]));
  t.true(limits.includes('Memory limit: 300mb'), limits.join(', '));
  t.true(limits.includes(`Timeout: ${(2 ** 31 - 1) / 1000}s`), limits.join(', '));
});
