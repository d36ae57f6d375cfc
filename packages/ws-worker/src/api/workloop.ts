import type { Logger } from 'pino';
import { ChannelLostError } from '../errors.js';
import type { ClaimedRun } from '@fleet/lightning-protocol';

/** Where the workloop's timers come from; a test passes a fake one. */
export interface Clock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WorkloopOptions {
  /** Runs at once: one slot, and so at most one claim loop, each. */
  capacity: number;
  backoff: { minMs: number; maxMs: number };
  /** One claim with demand 1. */
  claim(): Promise<ClaimedRun[]>;
  /** Runs a claimed run; resolves once it is over. */
  execute(run: ClaimedRun): Promise<void>;
  logger: Logger;
  clock?: Clock;
}

export interface Workloop {
  /** The queue is usable: every free slot claims now. */
  resume(): void;
  /** The queue is gone: no claims until resume. Runs carry on. */
  pause(): void;
  /** Lightning announced work: one waiting slot claims now instead of at the end of its backoff. */
  wake(): void;
  /** Stops claiming for good; resolves once claims in flight are answered (their runs have started). */
  stop(): Promise<void>;
  readonly activeRuns: number;
}

/** How much longer a slot waits after each claim that found nothing. */
export const BACKOFF_FACTOR = 1.5;

interface Slot {
  state: 'waiting' | 'claiming' | 'running';
  delayMs: number;
  timer: unknown;
}

/**
 * Claims runs while there is capacity. Each slot (one per run it may execute)
 * is a loop of its own: claim; nothing came, wait and claim again, waiting
 * longer each time from backoff min up to max; a run came, execute it and
 * claim again as soon as it is over. A slot has at most one timer or claim at a
 * time, so loops never stack. A slot that got a run wakes one more waiting
 * slot, so a backlog drains quickly while a quiet queue sees few claims.
 */
export function createWorkloop({ capacity, backoff, claim, execute, logger, clock = systemClock }: WorkloopOptions): Workloop {
  const slots: Slot[] = Array.from({ length: capacity }, () => ({ state: 'waiting', delayMs: backoff.minMs, timer: undefined }));
  const claims = new Set<Promise<void>>();
  let claiming = false;
  let stopped = false;
  let activeRuns = 0;

  const cancelTimer = (slot: Slot): void => {
    if (slot.timer === undefined) return;
    clock.clearTimeout(slot.timer);
    slot.timer = undefined;
  };

  const waitThenClaim = (slot: Slot): void => {
    slot.timer = clock.setTimeout(() => {
      slot.timer = undefined;
      claimWith(slot);
    }, slot.delayMs);
    slot.delayMs = Math.min(backoff.maxMs, slot.delayMs * BACKOFF_FACTOR);
  };

  function claimWith(slot: Slot): void {
    if (!claiming || slot.state !== 'waiting') return;
    cancelTimer(slot);
    slot.state = 'claiming';
    const attempt = claimOnce(slot);
    claims.add(attempt);
    void attempt.then(() => claims.delete(attempt));
  }

  async function claimOnce(slot: Slot): Promise<void> {
    const runs = await claim().catch((error: Error) => {
      if (error instanceof ChannelLostError) logger.debug(`Claim interrupted: ${error.message}`);
      else logger.warn(`Claim failed: ${error.message}`);
      return [];
    });
    if (runs.length === 0) {
      slot.state = 'waiting';
      if (claiming) waitThenClaim(slot);
      return;
    }
    if (runs.length > 1) logger.warn(`Lightning handed out ${runs.length} runs for a claim of one; running them all`);
    slot.state = 'running';
    slot.delayMs = backoff.minMs;
    wake();
    void executeAll(slot, runs);
  }

  async function executeAll(slot: Slot, runs: ClaimedRun[]): Promise<void> {
    activeRuns += runs.length;
    await Promise.all(
      runs.map((run) =>
        execute(run)
          .catch((error: Error) => logger.error(`Run ${run.id} failed in the worker: ${error.stack ?? error.message}`))
          .finally(() => (activeRuns -= 1)),
      ),
    );
    slot.state = 'waiting';
    claimWith(slot);
  }

  function pause(): void {
    claiming = false;
    slots.forEach(cancelTimer);
  }

  function wake(): void {
    const slot = slots.find((candidate) => candidate.state === 'waiting');
    if (slot) claimWith(slot);
  }

  return {
    resume() {
      if (stopped) return;
      claiming = true;
      for (const slot of slots) {
        slot.delayMs = backoff.minMs;
        claimWith(slot);
      }
    },
    pause,
    wake,
    async stop() {
      stopped = true;
      pause();
      await Promise.all(claims);
    },
    get activeRuns() {
      return activeRuns;
    },
  };
}

/** Several claim loops (--workloops) as one: each is told what all are told. */
export function combineWorkloops(loops: Workloop[]): Workloop {
  return {
    resume: () => loops.forEach((loop) => loop.resume()),
    pause: () => loops.forEach((loop) => loop.pause()),
    // Every loop with a free slot claims: the run may be in any of their queues.
    wake: () => loops.forEach((loop) => loop.wake()),
    stop: async () => void (await Promise.all(loops.map((loop) => loop.stop()))),
    get activeRuns() {
      return loops.reduce((sum, loop) => sum + loop.activeRuns, 0);
    },
  };
}
