import type { Timestamp } from '../types/lightning.js';

/** Now, as Lightning takes timestamps: integer microseconds since the epoch, as a string. */
export const nowMicros = (): Timestamp => String(BigInt(Date.now()) * 1000n);

/**
 * An engine event's `time` (nanoseconds since the epoch, as a bigint, or as a
 * string when it came through JSON) in microseconds; now when it has none.
 */
export function toMicros(time: unknown): Timestamp {
  if (typeof time === 'bigint') return String(time / 1000n);
  if (typeof time === 'string' && /^\d+$/.test(time)) return String(BigInt(time) / 1000n);
  return nowMicros();
}
