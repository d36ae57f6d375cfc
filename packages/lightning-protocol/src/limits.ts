// Lightning's limits on what a worker sends it, and the reference worker's
// defaults for staying under them.

/** Lightning's worker socket closes the connection (1009) on a bigger frame: `max_frame_size` in its endpoint. */
export const FRAME_LIMIT_BYTES = 11_000_000;

export const BYTES_PER_MB = 1024 * 1024;

/** A step output or final state over it is withheld (`WORKER_MAX_PAYLOAD_MB`). */
export const DEFAULT_PAYLOAD_LIMIT_MB = 10;

/** A log line over it is redacted (`WORKER_MAX_LOG_PAYLOAD_MB`). */
export const DEFAULT_LOG_PAYLOAD_LIMIT_MB = 1;

/**
 * The largest payload limit that keeps a frame under FRAME_LIMIT_BYTES once the
 * output travels inside its event: 10 MB leaves half a megabyte for the envelope.
 */
export const MAX_PAYLOAD_LIMIT_MB = 10;

/** `output_dataclip_error` of a step whose output was withheld as too large. */
export const DATACLIP_TOO_LARGE = 'DATACLIP_TOO_LARGE';

/** Whether a push with this payload (its JSON) stays within Lightning's frame limit. */
export const fitsInFrame = (topic: string, event: string, payloadJson: string): boolean => frameBytes(topic, event, payloadJson) <= FRAME_LIMIT_BYTES;

/**
 * The bytes of the Phoenix text frame (vsn 2.0.0) that carries a push:
 * `[join_ref, ref, topic, event, payload]`, with refs of at most 20 digits.
 */
export function frameBytes(topic: string, event: string, payloadJson: string): number {
  const REFS_AND_PUNCTUATION = 2 * 22 + 16;
  return Buffer.byteLength(JSON.stringify(topic)) + Buffer.byteLength(JSON.stringify(event)) + Buffer.byteLength(payloadJson) + REFS_AND_PUNCTUATION;
}
