import type { AutoinstallCompleteEvent, AutoinstallErrorEvent, LockEvent } from '@fleet/engine-multi';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ExitReasonName } from '@fleet/lightning-protocol';

/** How a run ended for this worker: its exit reason, or `lost` when Lightning could not be told. */
export type RunResult = ExitReasonName | 'lost';

export interface WorkerMetrics {
  readonly registry: Registry;
  runClaimed(): void;
  runCompleted(result: RunResult, durationMs: number): void;
  /** An `autoinstall-complete` or `autoinstall-error` event of a run. */
  autoinstall(event: AutoinstallEvent): void;
  /** The engine's install-lock events (`lock.onEvent`). */
  lockEvent(event: LockEvent): void;
}

export type AutoinstallEvent =
  | { name: 'autoinstall-complete'; payload: AutoinstallCompleteEvent }
  | { name: 'autoinstall-error'; payload: AutoinstallErrorEvent };

const PREFIX = 'fleet_worker_';
const seconds = (ms: number): number => ms / 1000;

/**
 * The worker's Prometheus metrics, in a registry of its own (not prom-client's
 * global one) so that several workers in one process keep separate counts.
 */
export function createMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];

  const claimed = new Counter({ name: `${PREFIX}runs_claimed_total`, help: 'Runs claimed from Lightning', registers });
  const completed = new Counter({
    name: `${PREFIX}runs_completed_total`,
    help: 'Runs finished, by exit reason (lost: Lightning could not be told)',
    labelNames: ['reason'],
    registers,
  });
  const runDuration = new Histogram({
    name: `${PREFIX}run_duration_seconds`,
    help: 'From claim to the end of the run, by exit reason',
    labelNames: ['reason'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers,
  });
  const installs = new Counter({
    name: `${PREFIX}autoinstall_total`,
    help: 'Adaptor installs runs waited for, by outcome (installed, lost-race, materialized, already-installed, error)',
    labelNames: ['outcome'],
    registers,
  });
  const installDuration = new Histogram({
    name: `${PREFIX}autoinstall_duration_seconds`,
    help: 'How long runs waited for an adaptor install, by outcome',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const lockWait = new Histogram({
    name: `${PREFIX}install_lock_wait_seconds`,
    help: 'Time from asking for an install lock to holding it (or giving up on it)',
    buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 600],
    registers,
  });
  const lockContention = new Counter({
    name: `${PREFIX}install_lock_contended_total`,
    help: 'Install locks this worker found held by another and had to wait for',
    registers,
  });

  return {
    registry,
    runClaimed: () => claimed.inc(),
    runCompleted(result, durationMs) {
      completed.inc({ reason: result });
      runDuration.observe({ reason: result }, seconds(durationMs));
    },
    autoinstall(event) {
      const outcome = event.name === 'autoinstall-complete' ? event.payload.outcome : 'error';
      installs.inc({ outcome });
      installDuration.observe({ outcome }, seconds(event.payload.duration));
    },
    lockEvent(event) {
      if (event.type === 'wait') lockContention.inc();
      if (event.type === 'acquired' || event.type === 'gave-up') lockWait.observe(seconds(event.waitedMs));
    },
  };
}
