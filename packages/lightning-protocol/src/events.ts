// Every push a worker makes to Lightning, on the queue channel and on a run's
// channel, as a schema. Closed shapes: a misspelt field is a bug, not news.
import { z } from 'zod';
import { closed, dictionary, jsonText, list, microseconds, nonEmpty, num, oneOf, open, positiveInteger, text, uuid } from './fields.js';
import { DATACLIP_TOO_LARGE } from './limits.js';

export const EXIT_REASONS = ['success', 'fail', 'crash', 'kill', 'exception'] as const;
export type ExitReasonName = (typeof EXIT_REASONS)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'success', 'always'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The longest `source` Lightning stores. */
export const MAX_LOG_SOURCE_LENGTH = 8;

// error_type/error_message are always sent, as JSON null on success.
const exit = {
  reason: oneOf(EXIT_REASONS),
  error_type: text().nullable(),
  error_message: text().nullable(),
};

type Refinement = z.core.$RefinementCtx;

/** A success carries no error: a half-filled exit reason is a worker bug. */
function exitConsistency(payload: { reason: string; error_type: string | null; error_message: string | null }, context: Refinement): void {
  if (payload.reason !== 'success') return;
  for (const field of ['error_type', 'error_message'] as const) {
    if (payload[field] !== null) context.addIssue({ code: 'custom', path: [field], message: 'must be null when reason is success' });
  }
}

const logLine = {
  /** Chosen by the worker: Lightning stores a line once per (id, run), so a re-send is harmless. */
  id: uuid().optional(),
  message: list(z.unknown()),
  /** Who wrote it: `JOB`, `ADA`, `R/T`, `RTE`, `VER`. */
  source: nonEmpty().max(MAX_LOG_SOURCE_LENGTH, `must be at most ${MAX_LOG_SOURCE_LENGTH} characters`),
  level: oneOf(LOG_LEVELS),
  timestamp: microseconds(),
  step_id: nonEmpty().optional(),
};

const byId = closed({ id: nonEmpty() });

export const runStartSchema = closed({
  versions: dictionary(z.union([text(), list(text())], { error: 'must be a string or an array of strings' })),
  timestamp: microseconds(),
});

export const stepStartSchema = closed({
  job_id: nonEmpty(),
  step_id: nonEmpty(),
  timestamp: microseconds(),
  input_dataclip_id: nonEmpty().optional(),
  run_id: nonEmpty().optional(),
});

export const runLogSchema = closed({ run_id: nonEmpty(), ...logLine });

export const batchLogLineSchema = closed({ ...logLine, run_id: nonEmpty().optional() });

export const runBatchLogsSchema = closed({ run_id: nonEmpty(), logs: list(batchLogLineSchema).min(1, 'must hold at least one line') });

export const stepCompleteSchema = closed({
  ...exit,
  job_id: nonEmpty(),
  step_id: nonEmpty(),
  output_dataclip_id: nonEmpty().optional(),
  /** JSON of the step's output state; left out when the plan turns output dataclips off, or it was withheld. */
  output_dataclip: jsonText().optional(),
  output_dataclip_error: oneOf([DATACLIP_TOO_LARGE]).optional(),
  /** Heap used and resident set size of the run's process after the step, in bytes. */
  mem: closed({ job: num(), system: num(), peak: num().optional() }).optional(),
  duration: num().optional(),
  thread_id: z.union([num(), text()], { error: 'must be a number or a string' }).optional(),
  timestamp: microseconds().optional(),
  webhook_response: dictionary(z.unknown()).optional(),
  run_id: nonEmpty().optional(),
}).superRefine((payload, context) => {
  exitConsistency(payload, context);
  // A step's output has an id unless it was withheld as too large.
  if (payload.output_dataclip_id === undefined && payload.output_dataclip_error === undefined) {
    context.addIssue({ code: 'custom', path: ['output_dataclip_id'], message: 'is required unless output_dataclip_error is set' });
  }
  if (payload.output_dataclip_error !== undefined && (payload.output_dataclip_id !== undefined || payload.output_dataclip !== undefined)) {
    context.addIssue({ code: 'custom', path: ['output_dataclip_error'], message: 'means the output was withheld: no output_dataclip_id or output_dataclip with it' });
  }
});

export const runCompleteSchema = closed({
  ...exit,
  timestamp: microseconds().optional(),
  final_state: z.unknown().optional(),
  final_dataclip_id: nonEmpty().optional(),
}).superRefine(exitConsistency);

/** Every push on a run's channel, by event name. */
export const RUN_EVENT_SCHEMAS = {
  'fetch:plan': closed({}),
  'fetch:credential': byId,
  'fetch:dataclip': byId,
  'run:start': runStartSchema,
  'step:start': stepStartSchema,
  'run:log': runLogSchema,
  'run:batch_logs': runBatchLogsSchema,
  'step:complete': stepCompleteSchema,
  'run:complete': runCompleteSchema,
};

export type RunChannelEvent = keyof typeof RUN_EVENT_SCHEMAS;

export const isRunChannelEvent = (event: string): event is RunChannelEvent => Object.hasOwn(RUN_EVENT_SCHEMAS, event);

export type RunStartPayload = z.infer<typeof runStartSchema>;
export type StepStartPayload = z.infer<typeof stepStartSchema>;
export type RunLogPayload = z.infer<typeof runLogSchema>;
export type BatchLogLine = z.infer<typeof batchLogLineSchema>;
export type RunBatchLogsPayload = z.infer<typeof runBatchLogsSchema>;
export type StepCompletePayload = z.infer<typeof stepCompleteSchema>;
export type RunCompletePayload = z.infer<typeof runCompleteSchema>;

/** How a step or a run ended; both error fields are null on success. */
export type ExitReason = Pick<RunCompletePayload, 'reason' | 'error_type' | 'error_message'>;

/** Integer microseconds since the epoch, as a string. */
export type Timestamp = string;

/** The pushes that report a run (the fetches are requests, not reports). */
export interface RunEvents {
  'run:start': RunStartPayload;
  'step:start': StepStartPayload;
  'step:complete': StepCompletePayload;
  'run:log': RunLogPayload;
  'run:batch_logs': RunBatchLogsPayload;
  'run:complete': RunCompletePayload;
}

export type RunEventName = keyof RunEvents;

export const QUEUE_TOPIC = 'worker:queue';

export const queueJoinSchema = closed({ capacity: num().optional(), queues: dictionary(num()).optional() });

export const claimSchema = closed({
  demand: positiveInteger(),
  worker_name: text().nullish(),
  queues: list(nonEmpty()).optional(),
});

// Open: this comes from Lightning, which may say more than a worker needs.
export const claimReplySchema = open({ runs: list(open({ id: nonEmpty(), token: nonEmpty() })) });

/** One run handed out by a `claim`, with Lightning's JWT for its channel. */
export type ClaimedRun = z.infer<typeof claimReplySchema>['runs'][number];
