import test from 'ava';
import { createMetrics } from '../src/util/metrics.js';

const value = async (metrics: ReturnType<typeof createMetrics>, line: string): Promise<number | undefined> => {
  const text = await metrics.registry.metrics();
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
};

test('runs: claimed, completed by reason, duration by reason', async (t) => {
  const metrics = createMetrics();
  metrics.runClaimed();
  metrics.runClaimed();
  metrics.runCompleted('success', 1500);
  metrics.runCompleted('lost', 10);
  t.is(await value(metrics, 'fleet_worker_runs_claimed_total'), 2);
  t.is(await value(metrics, 'fleet_worker_runs_completed_total{reason="success"}'), 1);
  t.is(await value(metrics, 'fleet_worker_runs_completed_total{reason="lost"}'), 1);
  t.is(await value(metrics, 'fleet_worker_run_duration_seconds_sum{reason="success"}'), 1.5);
  t.is(await value(metrics, 'fleet_worker_run_duration_seconds_bucket{le="2",reason="success"}'), 1);
});

test('autoinstalls by outcome, errors included', async (t) => {
  const metrics = createMetrics();
  metrics.autoinstall({ name: 'autoinstall-complete', payload: { module: 'a', version: '1', duration: 2000, outcome: 'installed' } });
  metrics.autoinstall({ name: 'autoinstall-complete', payload: { module: 'a', version: '1', duration: 500, outcome: 'already-installed' } });
  metrics.autoinstall({ name: 'autoinstall-error', payload: { module: 'b', version: '1', duration: 100, message: 'E404' } });
  t.is(await value(metrics, 'fleet_worker_autoinstall_total{outcome="installed"}'), 1);
  t.is(await value(metrics, 'fleet_worker_autoinstall_total{outcome="already-installed"}'), 1);
  t.is(await value(metrics, 'fleet_worker_autoinstall_total{outcome="error"}'), 1);
  t.is(await value(metrics, 'fleet_worker_autoinstall_duration_seconds_sum{outcome="installed"}'), 2);
});

test('install lock: every acquisition times its wait; only a wait counts as contention', async (t) => {
  const metrics = createMetrics();
  metrics.lockEvent({ type: 'acquired', alias: 'a_1', waitedMs: 2 });
  metrics.lockEvent({ type: 'wait', alias: 'b_1' });
  metrics.lockEvent({ type: 'takeover', alias: 'b_1', reason: 'stale' });
  metrics.lockEvent({ type: 'acquired', alias: 'b_1', waitedMs: 4000 });
  metrics.lockEvent({ type: 'released', alias: 'b_1', heldMs: 900 });
  t.is(await value(metrics, 'fleet_worker_install_lock_contended_total'), 1);
  t.is(await value(metrics, 'fleet_worker_install_lock_wait_seconds_count'), 2);
  t.is(await value(metrics, 'fleet_worker_install_lock_wait_seconds_bucket{le="0.01"}'), 1);
  t.is(await value(metrics, 'fleet_worker_install_lock_wait_seconds_sum'), 4.002);
});

test('each worker has its own registry: two in one process do not share counts', async (t) => {
  const first = createMetrics();
  const second = createMetrics();
  first.runClaimed();
  t.is(await value(first, 'fleet_worker_runs_claimed_total'), 1);
  t.is(await value(second, 'fleet_worker_runs_claimed_total'), 0);
});
