import { serializeError, type ExecutionError } from './errors.js';
import { isRecord, recordOrEmpty } from './is-record.js';

/**
 * Keeps the errors of earlier steps on a step's output even when an operation
 * returned a fresh object, so the steps downstream and the final result still
 * see what failed upstream.
 */
export function carryErrors(output: unknown, input: unknown): unknown {
  if (!isRecord(output) || !isRecord(input) || !isRecord(input.errors)) return output;
  return { ...output, errors: { ...input.errors, ...recordOrEmpty(output.errors) } };
}

/** The state a failed step passes on: the state it had reached, with its error under `errors[stepId]`. */
export function recordError(
  state: unknown,
  input: unknown,
  stepId: string,
  error: ExecutionError,
): Record<string, unknown> {
  const base = recordOrEmpty(state);
  const errors = { ...recordOrEmpty(base.errors), [stepId]: serializeError(error) };
  return carryErrors({ ...base, errors }, input) as Record<string, unknown>;
}
