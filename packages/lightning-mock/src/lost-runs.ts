import type { Logger } from '@fleet/runtime';
import type { RunStore } from './run-store.js';
import { isFinal } from './run-status.js';

export interface LostRuns {
  /** The connection closed: its pending runs are lost unless rejoined within the grace period. */
  disconnected(connectionId: number): void;
  /** A (re)join of the run's channel: the run has a worker again. */
  rejoined(runId: string): void;
  dispose(): void;
}

/**
 * Lightning itself only notices a vanished worker when the run times out; a
 * mock that waited that long would make "worker died" tests slow and demos
 * confusing. So a run whose answerable connection closes before `run:complete`
 * is marked `lost` after `graceMs` (at once by default). The grace period exists
 * for tests of reconnects: the Phoenix client rejoins its run channels on a new
 * socket, and a rejoin within the period keeps the run going.
 */
export function createLostRuns(store: RunStore, graceMs: number, logger: Logger): LostRuns {
  const timers = new Map<string, NodeJS.Timeout>();

  const lose = (runId: string): void => {
    timers.delete(runId);
    const status = store.status(runId);
    if (isFinal(status)) return;
    logger.warn(`Run ${runId} lost: its worker disconnected while it was ${status}`);
    store.end(runId, {
      reason: 'lost',
      errorType: status === 'claimed' ? 'LostAfterClaim' : 'LostAfterStart',
      errorMessage: `The worker's connection closed before run:complete (the run was ${status})`,
    });
  };

  return {
    disconnected(connectionId) {
      for (const runId of store.ownedBy(connectionId)) {
        if (graceMs === 0) lose(runId);
        else timers.set(runId, setTimeout(lose, graceMs, runId));
      }
    },
    rejoined(runId) {
      clearTimeout(timers.get(runId));
      timers.delete(runId);
    },
    dispose() {
      timers.forEach(clearTimeout);
      timers.clear();
    },
  };
}
