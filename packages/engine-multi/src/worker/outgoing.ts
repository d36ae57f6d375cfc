// What a run process reports, fitted to its run's limits before it leaves the
// process: the worker never receives, let alone serializes, more than it is
// configured to carry, whatever job code logs or returns.
import type { LogLevel, LogSource } from '@fleet/runtime/executor';
import type { JobLogLevel, RunLimits, SanitizePolicy } from './protocol.js';

export const BYTES_PER_MB = 1024 * 1024;

const RANK: Record<Exclude<JobLogLevel, 'none'>, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, log: 1, warn: 2, error: 3 };

/**
 * Whether a line of this source and level is sent at all. The job log level
 * governs what the project's code writes, its adaptors' lines included: both
 * may carry the project's data, which `none` is there to keep out of the log.
 */
export function logWanted(source: LogSource, level: LogLevel, jobLogLevel: JobLogLevel): boolean {
  if (source === 'R/T') return true;
  return jobLogLevel !== 'none' && LEVEL_RANK[level] >= RANK[jobLogLevel];
}

/** A line's arguments with objects and arrays treated as the policy says (the reference logger's policies). */
export function sanitize(args: unknown[], policy: SanitizePolicy): unknown[] {
  if (policy === 'none') return args;
  if (policy === 'remove') return args.filter((arg) => typeof arg !== 'object' || arg === null);
  return args.map((arg) => (policy === 'summarize' ? summary(arg) : obfuscated(arg)));
}

function summary(arg: unknown): unknown {
  if (Array.isArray(arg)) return arg.length > 0 ? `(array with ${arg.length} items)` : '(empty array)';
  if (typeof arg !== 'object' || arg === null) return arg;
  const keys = Object.keys(arg).sort();
  return keys.length > 0 ? `(object with keys ${keys.join(', ')})` : '(empty object)';
}

function obfuscated(arg: unknown): unknown {
  if (Array.isArray(arg)) return '[array]';
  return typeof arg === 'object' && arg !== null ? '[object]' : arg;
}

/** The line as sent: itself, or a note in its place when it is over the log payload limit. */
export function fitLogMessage(message: unknown[], { logPayloadLimitBytes }: RunLimits): unknown[] {
  const bytes = Buffer.byteLength(JSON.stringify(message));
  if (bytes <= logPayloadLimitBytes) return message;
  return [`(Log message redacted: it was ${megabytes(bytes)}, over the log payload limit of ${megabytes(logPayloadLimitBytes)})`];
}

/**
 * A state as reported: itself when within the payload limit, otherwise only its
 * size. The run itself still has the whole state: the next step gets it.
 */
export function fitState(state: unknown, { payloadLimitBytes }: RunLimits): { state: unknown; withheld?: number } {
  const text = JSON.stringify(state);
  const bytes = text === undefined ? 0 : Buffer.byteLength(text);
  return bytes <= payloadLimitBytes ? { state } : { state: undefined, withheld: bytes };
}

export const megabytes = (bytes: number): string => `${Number((bytes / BYTES_PER_MB).toFixed(1))} MB`;
