import type { ExecutionPlan, RuntimeEvent } from '@fleet/runtime/executor';
import { z } from 'zod';

/** What the engine asks a run process to do: execute one compiled plan. */
export interface RunTask {
  /** Compiled by the engine: a run process loads no compiler. */
  plan: ExecutionPlan;
  input: unknown;
  options: {
    /** Regular expressions as [source, flags]: RegExps do not cross the IPC channel. */
    whitelist: Array<[string, string]>;
    statePropsToRemove: string[];
    stateLimitMb: number;
  };
}

export type ToChild = { type: 'prepare'; adaptorFolders: string[] } | { type: 'run'; task: RunTask };

// Job code runs in the process on the other end and may send anything, so
// every message is checked here, once; past this point the events are typed.
const severity = z.enum(['fail', 'crash', 'kill']);
const jobOutcome = { jobId: z.string(), state: z.unknown(), duration: z.number(), next: z.array(z.string()) };

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
  z.object({ type: z.literal('done'), state: z.unknown() }),
  z.object({ type: z.literal('failed'), error: serializedError }),
]);

export type SerializedError = z.infer<typeof serializedError>;

/** By adaptor folder: the names it exports, or why it did not import. */
export type AdaptorExports = Record<string, string[] | { error: string }>;

export type FromChild =
  | { type: 'ready'; exports: AdaptorExports }
  | { type: 'event'; event: RuntimeEvent }
  | { type: 'done'; state: unknown }
  | { type: 'failed'; error: SerializedError };

/** A message from a run process, or why it is not one. */
export function parseFromChild(message: unknown): { ok: true; message: FromChild } | { ok: false; reason: string } {
  const parsed = fromChild.safeParse(message);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, reason: z.prettifyError(parsed.error) };
}
