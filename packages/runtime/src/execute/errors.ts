import type { JobPosition } from './job-position.js';
import { stringifySafe } from './json-safe.js';

/**
 * How bad an error is for the plan: `fail` is recorded on the state and the plan
 * goes on along the failure edges; `crash` ends the plan; `kill` ends the plan and
 * tells the engine that the process running it should not be trusted further.
 */
export type Severity = 'fail' | 'crash' | 'kill';

/** The form an error takes on `state.errors[stepId]` and in `job-error` events. */
export interface SerializedError {
  source: 'runtime';
  name: string;
  severity: Severity;
  message: string;
  subtype?: string;
  details?: unknown;
  pos?: JobPosition;
}

/** Every error the runtime reports about a plan or a step. */
export abstract class ExecutionError extends Error {
  abstract readonly severity: Severity;
  /** The JavaScript error type behind a RuntimeError or RuntimeCrash. */
  subtype?: string;
  /** The original error, serialized, when it came from adaptor code. */
  details?: unknown;
  /** Where in the job's own source it happened, when known. */
  pos?: JobPosition;
}

/** The plan, a job module's exports or the options cannot be run as given. */
export class ValidationError extends ExecutionError {
  override name = 'ValidationError';
  readonly severity = 'crash';
}

/** A step's configuration names a credential that could not be loaded. */
export class CredentialError extends ExecutionError {
  override name = 'CredentialError';
  readonly severity = 'crash';
  constructor(
    readonly stepId: string,
    readonly credentialId: string,
    reason: string,
  ) {
    super(`Could not load credential "${credentialId}" for step "${stepId}": ${reason}`);
  }
}

/** Job code imported a module it may not use, or an adaptor failed to load. */
export class ImportError extends ExecutionError {
  override name = 'ImportError';
  readonly severity = 'crash';
}

/** An edge condition threw while deciding where the plan goes next. */
export class EdgeConditionError extends ExecutionError {
  override name = 'EdgeConditionError';
  readonly severity = 'crash';
  constructor(edge: string, reason: string) {
    super(`The condition of edge ${edge} threw: ${reason}. Fix the condition expression.`);
  }
}

/** A TypeError or RangeError in job code: a bug in the job, worth recording and moving on. */
export class RuntimeError extends ExecutionError {
  override name = 'RuntimeError';
  readonly severity = 'fail';
  constructor(type: string, message: string) {
    super(`${type}: ${message}`);
    this.subtype = type;
  }
}

/** Job code that cannot run at all (a ReferenceError, a SyntaxError, a missing export). */
export class RuntimeCrash extends ExecutionError {
  override name = 'RuntimeCrash';
  readonly severity = 'crash';
  constructor(message: string, type?: string) {
    super(message);
    this.subtype = type;
  }
}

/** Anything else job code threw, including strings and plain objects. */
export class JobError extends ExecutionError {
  override name = 'JobError';
  readonly severity = 'fail';
}

/** An error raised inside an adaptor rather than by the job's own code. */
export class AdaptorError extends ExecutionError {
  override name = 'AdaptorError';
  readonly severity = 'fail';
  constructor(message: string, details: unknown) {
    super(message);
    this.details = details;
  }
}

/** Job code tried to turn a string into code (eval, new Function) or to compile WebAssembly. */
export class SecurityError extends ExecutionError {
  override name = 'SecurityError';
  readonly severity = 'kill';
  constructor() {
    super(
      'Illegal eval statement detected: job code may not run strings as code (eval, new Function) or compile WebAssembly',
    );
  }
}

/** A step produced more state than the engine is willing to carry. */
export class StateTooLargeError extends ExecutionError {
  override name = 'StateTooLargeError';
  readonly severity = 'kill';
  constructor(readonly limitMb: number) {
    super(`State exceeds the limit of ${limitMb}mb: keep only what later steps need on the state`);
  }
}

/** The message of anything that can be thrown: an error, a string, an object. */
export function messageOf(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  const message = (thrown as { message?: unknown } | null | undefined)?.message;
  if (typeof message === 'string') return message;
  return stringifySafe(thrown) ?? String(thrown);
}

export function serializeError(error: ExecutionError): SerializedError {
  return {
    source: 'runtime',
    name: error.name,
    severity: error.severity,
    message: error.message,
    ...(error.subtype === undefined ? {} : { subtype: error.subtype }),
    ...(error.details === undefined ? {} : { details: error.details }),
    ...(error.pos === undefined ? {} : { pos: error.pos }),
  };
}
