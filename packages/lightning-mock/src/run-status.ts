import type { FinalStatus, RunReason, RunStatus } from './types.js';

const STATUS_FOR_REASON: Record<RunReason, FinalStatus> = {
  success: 'success',
  fail: 'failed',
  crash: 'crashed',
  kill: 'killed',
  exception: 'exception',
  lost: 'lost',
};

const FINAL_STATUSES = new Set<RunStatus>(Object.values(STATUS_FOR_REASON));

/** The final status a run takes for the exit reason it completed with. */
export const statusForReason = (reason: RunReason): FinalStatus => STATUS_FOR_REASON[reason];

export const isFinal = (status: RunStatus): status is FinalStatus => FINAL_STATUSES.has(status);
