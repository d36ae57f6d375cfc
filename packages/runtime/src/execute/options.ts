import type { ExecutionPlan } from '../plan.js';
import { ValidationError } from './errors.js';
import type { Notify, RuntimeEvent } from './events.js';

export interface ExecuteOptions {
  /** Receives every event of the run, in order. */
  notify?: (event: RuntimeEvent) => void;
  /** Module names job code may import (adaptors); others fail with an ImportError. */
  whitelist?: RegExp[];
  /** Keys deleted from every step's output state. Default DEFAULT_STATE_PROPS_TO_REMOVE. */
  statePropsToRemove?: string[];
  /** Largest JSON size, in megabytes, of a step's output state; more is a StateTooLargeError. */
  stateLimitMb?: number;
  /** Loads the configuration of a step whose `configuration` is a credential id. */
  resolveCredential?: (id: string) => Promise<object>;
  /** Adaptors are imported afresh for each key, so runs do not share module state. Default: the plan id. */
  cacheKey?: string;
}

/** Credentials and raw HTTP responses: what must never leave a step. The default of every layer above. */
export const DEFAULT_STATE_PROPS_TO_REMOVE: readonly string[] = ['configuration', 'response'];

/** ExecuteOptions with every default applied and every value checked. */
export interface ResolvedOptions {
  notify: Notify;
  whitelist?: RegExp[];
  statePropsToRemove: string[];
  stateLimitMb?: number;
  resolveCredential?: (id: string) => Promise<object>;
  cacheKey: string;
}

export function resolveOptions(plan: ExecutionPlan, options: ExecuteOptions): ResolvedOptions {
  const { stateLimitMb } = options;
  if (stateLimitMb !== undefined && !(Number.isFinite(stateLimitMb) && stateLimitMb > 0)) {
    throw new ValidationError(`stateLimitMb must be a positive number of megabytes, not ${stateLimitMb}`);
  }
  return {
    notify: options.notify ?? (() => {}),
    whitelist: options.whitelist,
    statePropsToRemove: options.statePropsToRemove ?? [...DEFAULT_STATE_PROPS_TO_REMOVE],
    stateLimitMb,
    resolveCredential: options.resolveCredential,
    cacheKey: options.cacheKey ?? plan.id,
  };
}
