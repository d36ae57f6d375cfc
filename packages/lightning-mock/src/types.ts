import type { BatchLogLine, ExitReasonName, LightningPlan } from '@fleet/lightning-protocol';

export type { ClaimedRun, LightningEdge, LightningJob, LightningPlan, LightningTrigger } from '@fleet/lightning-protocol';

export type ExitReason = ExitReasonName;

/** `lost` is the mock's own verdict for a run whose worker went away; no worker sends it. */
export type RunReason = ExitReason | 'lost';

export type PendingStatus = 'queued' | 'claimed' | 'started';
export type FinalStatus = 'success' | 'failed' | 'crashed' | 'killed' | 'exception' | 'lost';
export type RunStatus = PendingStatus | FinalStatus;

export interface RecordedEvent {
  event: string;
  payload: unknown;
  /** ISO time the mock accepted the event. */
  receivedAt: string;
}

/** A log line as the worker sent it, with the run id even when it came in a batch. */
export type RunLogLine = BatchLogLine & { run_id: string };

export interface RunSummary {
  id: string;
  status: RunStatus;
  reason: RunReason | null;
  errorType: string | null;
  errorMessage: string | null;
  /** `worker_name` from the claim that took the run. */
  workerName: string | null;
  /** `worker_id` claim of the token the claiming socket connected with. */
  workerId: string | null;
}

export interface RunDetails extends RunSummary {
  plan: LightningPlan;
  finalDataclipId: string | null;
  finalState: unknown;
  /** Every run-channel event the mock accepted, in arrival order. */
  events: RecordedEvent[];
  logs: RunLogLine[];
}
