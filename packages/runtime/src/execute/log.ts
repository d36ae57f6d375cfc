import type { LogLevel, LogSource, Notify } from './events.js';
import { toJsonSafe } from './json-safe.js';

export type Log = Record<LogLevel, (...args: unknown[]) => void>;

const LEVELS: LogLevel[] = ['debug', 'info', 'log', 'warn', 'error'];

// hrtime is monotonic with nanosecond resolution; anchored once to the wall clock,
// it orders lines written within the same millisecond.
const EPOCH_OFFSET_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

const nowNs = (): string => (EPOCH_OFFSET_NS + process.hrtime.bigint()).toString();

/**
 * A console-shaped logger whose every call becomes a `log` event. Arguments are
 * made JSON-safe at the call, so a later mutation by job code cannot change what
 * was logged.
 */
export function createLog(notify: Notify, source: LogSource): Log {
  const entries = LEVELS.map((level) => [
    level,
    (...args: unknown[]) =>
      notify({ type: 'log', level, source, message: toJsonSafe(args) as unknown[], time: nowNs() }),
  ]);
  return Object.freeze(Object.fromEntries(entries)) as Log;
}
