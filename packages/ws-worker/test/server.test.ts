import test from 'ava';
import { startHttpServer } from '../src/server.js';
import { createMetrics } from '../src/util/metrics.js';

test('/ and /livez answer 200, /metrics is Prometheus text, anything else is refused', async (t) => {
  const metrics = createMetrics();
  metrics.runClaimed();
  const server = await startHttpServer({ port: 0, registry: metrics.registry });
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
  const server = await startHttpServer({ port: 0, registry: createMetrics().registry });
  await fetch(`${server.url}/livez`, { keepalive: true });
  await server.close();
  await t.throwsAsync(fetch(`${server.url}/livez`));
});
