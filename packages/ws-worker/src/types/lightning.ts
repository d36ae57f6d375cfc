// The worker ↔ Lightning contract: what Lightning sends (plans, claims) and what
// the worker pushes on a run channel.

export interface LightningJob {
  id: string;
  name?: string | null;
  body: string;
  adaptor: string;
  /** An inline credential body. */
  credential?: unknown;
  /** A credential id, fetched with `fetch:credential` when the run starts. */
  credential_id?: string | null;
  state?: unknown;
}

export interface LightningTrigger {
  id: string;
  type?: string;
}

export interface LightningEdge {
  id: string;
  source_job_id?: string | null;
  source_trigger_id?: string | null;
  target_job_id: string;
  /** `always`, `on_job_success`, `on_job_failure` or a JavaScript expression. */
  condition?: string | null;
  enabled?: boolean;
}

/** The reply to `fetch:plan`. */
export interface LightningPlan {
  id: string;
  name?: string | null;
  dataclip_id?: string | null;
  starting_node_id?: string | null;
  triggers?: LightningTrigger[];
  jobs: LightningJob[];
  edges?: LightningEdge[];
  options?: Record<string, unknown>;
  globals?: string;
}

/** One run handed out by a `claim`. */
export interface ClaimedRun {
  id: string;
  /** Lightning's JWT for this run: the key to its channel. */
  token: string;
}

export const EXIT_REASONS = ['success', 'fail', 'crash', 'kill', 'exception'] as const;
export type ExitReasonName = (typeof EXIT_REASONS)[number];

/** How a step or a run ended; both error fields are null on success. */
export interface ExitReason {
  reason: ExitReasonName;
  error_type: string | null;
  error_message: string | null;
}

/** Integer microseconds since the epoch, as a string. */
export type Timestamp = string;

export interface RunStartPayload {
  versions: Record<string, string | string[]>;
  timestamp: Timestamp;
}

export interface StepStartPayload {
  job_id: string;
  step_id: string;
  timestamp: Timestamp;
  input_dataclip_id?: string;
}

export interface StepCompletePayload extends ExitReason {
  job_id: string;
  step_id: string;
  output_dataclip_id: string;
  /** JSON of the step's output state; left out when the plan turns output dataclips off. */
  output_dataclip?: string;
  mem?: { job: number; system: number };
  duration?: number;
  thread_id?: number | string;
  timestamp?: Timestamp;
  webhook_response?: Record<string, unknown>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'success' | 'always';

export interface RunLogPayload {
  run_id: string;
  message: unknown[];
  /** Who wrote it: `JOB`, `ADA`, `R/T`, `RTE`, `VER`. */
  source: string;
  level: LogLevel;
  timestamp: Timestamp;
  step_id?: string;
}

export interface RunCompletePayload extends ExitReason {
  timestamp?: Timestamp;
  final_state?: unknown;
  final_dataclip_id?: string;
}

/** Every push the worker makes on a run channel, with its payload. */
export interface RunEvents {
  'run:start': RunStartPayload;
  'step:start': StepStartPayload;
  'step:complete': StepCompletePayload;
  'run:log': RunLogPayload;
  'run:complete': RunCompletePayload;
}

export type RunEventName = keyof RunEvents;
