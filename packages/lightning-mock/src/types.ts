/** Exit reasons a worker may report on `step:complete` and `run:complete`. */
export const EXIT_REASONS = ['success', 'fail', 'crash', 'kill', 'exception'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/** `lost` is the mock's own verdict for a run whose worker went away; no worker sends it. */
export type RunReason = ExitReason | 'lost';

export type PendingStatus = 'queued' | 'claimed' | 'started';
export type FinalStatus = 'success' | 'failed' | 'crashed' | 'killed' | 'exception' | 'lost';
export type RunStatus = PendingStatus | FinalStatus;

export interface LightningJob {
  id: string;
  name?: string | null;
  body: string;
  adaptor: string;
  credential?: unknown;
  credential_id?: string | null;
  state?: unknown;
}

export interface LightningTrigger {
  id: string;
  type?: 'webhook' | 'cron';
}

export interface LightningEdge {
  id: string;
  source_job_id?: string | null;
  source_trigger_id?: string | null;
  target_job_id: string;
  condition?: string | null;
  enabled?: boolean;
}

/** The reply to `fetch:plan`. */
export interface LightningPlan {
  id: string;
  name?: string | null;
  project_id?: string | null;
  dataclip_id?: string;
  starting_node_id?: string;
  triggers: LightningTrigger[];
  jobs: LightningJob[];
  edges: LightningEdge[];
  options?: Record<string, unknown>;
  globals?: string;
}

/** One entry of a `claim` reply. */
export interface ClaimedRun {
  id: string;
  token: string;
}

export interface RecordedEvent {
  event: string;
  payload: unknown;
  /** ISO time the mock accepted the event. */
  receivedAt: string;
}

/** A log line as the worker sent it, with the run id even when it came in a batch. */
export interface RunLogLine {
  run_id: string;
  message: unknown[];
  source: string;
  level: string;
  timestamp: string;
  step_id?: string;
}

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
