import type { ExecutionPlan, RuntimeEvent } from '@fleet/runtime/executor';
import { z } from 'zod';

/** Lines of job code (and its adaptors) below this level are not sent; `none`: none are. */
export type JobLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'none';

export const JOB_LOG_LEVELS: readonly JobLogLevel[] = ['debug', 'info', 'warn', 'error', 'none'];

/** What becomes of objects and arrays in job log lines. */
export type SanitizePolicy = 'none' | 'remove' | 'summarize' | 'obfuscate';

export const SANITIZE_POLICIES: readonly SanitizePolicy[] = ['none', 'remove', 'summarize', 'obfuscate'];

/** What a run process may report, measured in the process before it is sent. */
export interface RunLimits {
  /** A step's output or the final state over this is reported by its size only. */
  payloadLimitBytes: number;
  /** A log line over this is replaced by a note saying so. */
  logPayloadLimitBytes: number;
  jobLogLevel: JobLogLevel;
  sanitize: SanitizePolicy;
}

/** What the engine asks a run process to do: execute one compiled plan. */
export interface RunTask {
  /** Compiled by the engine: a run process loads no compiler. */
  plan: ExecutionPlan;
  input: unknown;
  options: {
    /** Regular expressions as [source, flags]: RegExps do not cross the IPC channel. */
    whitelist: Array<[string, string]>;
    statePropsToRemove: string[];
    /** A step's output over this kills the run: more than the run process can safely hold. */
    stateLimitMb: number;
    limits: RunLimits;
    /** Log lines the process may send before the worker grants more. */
    logWindow: number;
  };
}

/** `grant`: the worker took that many more log lines on; as many more may come. */
export type ToChild = { type: 'prepare'; adaptorFolders: string[] } | { type: 'run'; task: RunTask } | { type: 'grant'; lines: number };

// Job code runs in the process on the other end and may send anything, so
// every message is checked here, once; past this point the events are typed.
const severity = z.enum(['fail', 'crash', 'kill']);
// `withheld`: the size in bytes of a state not sent because it is over the payload limit.
const withheld = z.number().int().nonnegative().optional();
const jobOutcome = { jobId: z.string(), state: z.unknown(), withheld, duration: z.number(), next: z.array(z.string()) };

const runtimeEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job-start'), jobId: z.string() }),
  z.object({ type: z.literal('job-complete'), ...jobOutcome, mem: z.object({ job: z.number(), system: z.number() }) }),
  z.object({
    type: z.literal('job-error'),
    ...jobOutcome,
    error: z.object({
      source: z.literal('runtime'),
      name: z.string(),
      severity,
      message: z.string(),
      subtype: z.string().optional(),
      details: z.unknown().optional(),
      pos: z.object({ line: z.number(), column: z.number() }).optional(),
    }),
  }),
  z.object({
    type: z.literal('log'),
    level: z.enum(['debug', 'info', 'log', 'warn', 'error']),
    source: z.enum(['JOB', 'R/T', 'ADA']),
    message: z.array(z.unknown()),
    time: z.string().regex(/^\d{1,30}$/),
  }),
]);

const serializedError = z.object({ name: z.string(), message: z.string(), severity: z.string() });

const fromChild = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), exports: z.record(z.string(), z.union([z.array(z.string()), z.object({ error: z.string() })])) }),
  z.object({ type: z.literal('event'), event: runtimeEvent }),
  z.object({ type: z.literal('done'), state: z.unknown(), withheld }),
  z.object({ type: z.literal('failed'), error: serializedError }),
]);

export type SerializedError = z.infer<typeof serializedError>;

/** A runtime event as a run process reports it: a step's state may be withheld. */
export type ReportedEvent =
  | Exclude<RuntimeEvent, { type: 'job-complete' | 'job-error' }>
  | (Extract<RuntimeEvent, { type: 'job-complete' | 'job-error' }> & { withheld?: number });

/** By adaptor folder: the names it exports, or why it did not import. */
export type AdaptorExports = Record<string, string[] | { error: string }>;

export type FromChild =
  | { type: 'ready'; exports: AdaptorExports }
  | { type: 'event'; event: ReportedEvent }
  | { type: 'done'; state: unknown; withheld?: number }
  | { type: 'failed'; error: SerializedError };

/** A message from a run process, or why it is not one. */
export function parseFromChild(message: unknown): { ok: true; message: FromChild } | { ok: false; reason: string } {
  const parsed = fromChild.safeParse(message);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, reason: z.prettifyError(parsed.error) };
}
