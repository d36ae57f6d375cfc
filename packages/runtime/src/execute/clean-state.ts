import { StateTooLargeError } from './errors.js';
import { isRecord } from './is-record.js';
import { stringifySafe } from './json-safe.js';

const BYTES_PER_MB = 1024 * 1024;

/**
 * A step's state as it leaves the step: without the removed keys, as plain JSON
 * (functions, undefined, promises dropped; circular references replaced), and
 * within the size limit when one is given. The size is measured without the
 * removed keys, since those never travel.
 */
export function cleanState(state: unknown, statePropsToRemove: string[], stateLimitMb?: number): unknown {
  const text = stringifySafe(isRecord(state) ? without(state, statePropsToRemove) : state);
  if (text === undefined) return undefined;
  if (stateLimitMb !== undefined && Buffer.byteLength(text) > stateLimitMb * BYTES_PER_MB) {
    throw new StateTooLargeError(stateLimitMb);
  }
  return JSON.parse(text);
}

function without(state: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const copy = { ...state };
  for (const key of keys) delete copy[key];
  return copy;
}
