import test from 'ava';
import { startHttpServer, type Readiness } from '../src/server.js';
import { createMetrics } from '../src/util/metrics.js';

const ready = (): Readiness => ({ ready: true, reason: 'all good' });

test('/ and /livez answer 200, /metrics is Prometheus text, anything else is refused', async (t) => {
  const metrics = createMetrics();
  metrics.runClaimed();
  const server = await startHttpServer({ port: 0, registry: metrics.registry, readiness: ready });
  t.teardown(() => server.close());
  for (const path of ['/', '/livez']) t.is((await fetch(`${server.url}${path}`)).status, 200, path);
  const response = await fetch(`${server.url}/metrics`);
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  t.true(text.includes('# TYPE fleet_worker_runs_claimed_total counter'));
  t.true(text.includes('fleet_worker_runs_claimed_total 1'));
  t.true(text.includes('fleet_worker_process_resident_memory_bytes'), 'process metrics too');
  t.is((await fetch(`${server.url}/nope`)).status, 404);
  t.is((await fetch(`${server.url}/livez`, { method: 'POST' })).status, 405);
});

test('close() ends keep-alive connections too', async (t) => {
  const server = await startHttpServer({ port: 0, registry: createMetrics().registry, readiness: ready });
  await fetch(`${server.url}/livez`, { keepalive: true });
  await server.close();
  await t.throwsAsync(fetch(`${server.url}/livez`));
});

test('/readyz answers 200 while ready and 503 with the reason while not', async (t) => {
  let readiness: Readiness = { ready: false, reason: 'not connected to Lightning (Unexpected server response: 401)' };
  const server = await startHttpServer({ port: 0, registry: createMetrics().registry, readiness: () => readiness });
  t.teardown(() => server.close());
  const notReady = await fetch(`${server.url}/readyz`);
  t.is(notReady.status, 503);
  t.is(await notReady.text(), 'not ready: not connected to Lightning (Unexpected server response: 401)\n');
  readiness = { ready: true, reason: 'claiming' };
  const nowReady = await fetch(`${server.url}/readyz`);
  t.is(nowReady.status, 200);
  t.is(await nowReady.text(), 'ready: claiming\n');
});

test('with a host it listens there only, and says where it is bound', async (t) => {
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', registry: createMetrics().registry, readiness: ready });
  t.teardown(() => server.close());
  t.regex(server.address, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.is(server.url, server.address);
  t.is((await fetch(`${server.url}/livez`)).status, 200);
});

test('without a host it listens on every interface, and says so', async (t) => {
  const server = await startHttpServer({ port: 0, registry: createMetrics().registry, readiness: ready });
  t.teardown(() => server.close());
  t.regex(server.address, /^http:\/\/(\[::\]|0\.0\.0\.0):\d+$/);
  t.is((await fetch(`${server.url}/livez`)).status, 200);
});
