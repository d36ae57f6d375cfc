import { EXIT_REASONS, type ExitReason, type ExitReasonName } from '@fleet/lightning-protocol';

export const SUCCESS: ExitReason = { reason: 'success', error_type: null, error_message: null };

/** An error as the engine reports it: on `job-error`, or in a step's `state.errors`. */
export interface EngineError {
  name?: string;
  type?: string;
  subtype?: string;
  message?: string;
  severity?: string;
}

const isReason = (value: unknown): value is ExitReasonName => EXIT_REASONS.includes(value as ExitReasonName);

export function exitReason(reason: ExitReasonName, type: string | undefined, message: string | undefined): ExitReason {
  return { reason, error_type: type ?? 'Error', error_message: message ?? null };
}

/**
 * How a step ended. A `fail` is recorded on the output state under the step's id
 * and reported by its name; a crash or kill is reported by what went wrong
 * underneath (a `ReferenceError` rather than `RuntimeCrash`).
 */
export function stepExitReason(jobId: string, state: unknown, error?: EngineError): ExitReason {
  if (error && error.severity !== 'fail') {
    const reason = isReason(error.severity) ? error.severity : 'crash';
    return exitReason(reason, error.subtype ?? error.name ?? error.type, error.message);
  }
  const errors = errorsOf(state);
  // Own keys only: a step called `constructor` has not failed because every object has one.
  const recorded = (Object.hasOwn(errors, jobId) ? errors[jobId] : undefined) ?? error;
  return recorded ? exitReason('fail', recorded.name ?? recorded.type, recorded.message) : SUCCESS;
}

/** How a run ended after a `workflow-error`: its severity is the reason. */
export function workflowErrorReason(error: EngineError): ExitReason {
  const reason = isReason(error.severity) ? error.severity : 'crash';
  return exitReason(reason, error.type ?? error.name, error.message);
}

/**
 * How a run that completed ended: failed when a leaf step failed, whatever the
 * steps before it did (a failure that a later step handled is not the run's).
 * `leaves` are the reasons of the steps nothing ran after, in the order they ended.
 */
export function runExitReason(leaves: ExitReason[]): ExitReason {
  return leaves.find((leaf) => leaf.reason !== 'success') ?? SUCCESS;
}

function errorsOf(state: unknown): Record<string, EngineError | undefined> {
  const errors = (state as { errors?: unknown } | null | undefined)?.errors;
  return typeof errors === 'object' && errors !== null ? (errors as Record<string, EngineError>) : {};
}
