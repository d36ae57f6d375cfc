import type { Timestamp } from '@fleet/lightning-protocol';

/** Now, as Lightning takes timestamps: integer microseconds since the epoch, as a string. */
export const nowMicros = (): Timestamp => String(BigInt(Date.now()) * 1000n);

/** An engine event's `time` (nanoseconds since the epoch) in microseconds. */
export const toMicros = (time: bigint): Timestamp => String(time / 1000n);
