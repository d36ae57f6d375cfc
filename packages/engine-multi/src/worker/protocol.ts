import type { ExecutionPlan } from '@fleet/runtime';

/** What the engine asks a run process to do: compile and execute one plan. */
export interface RunTask {
  plan: ExecutionPlan;
  input: unknown;
  options: {
    /** Regular expressions as [source, flags]: RegExps do not cross the IPC channel. */
    whitelist: Array<[string, string]>;
    statePropsToRemove: string[];
    stateLimitMb: number;
  };
}

export interface SerializedError {
  name: string;
  message: string;
  severity: string;
  [key: string]: unknown;
}

export type ToChild = { type: 'run'; task: RunTask };

export type FromChild =
  | { type: 'ready' }
  | { type: 'event'; name: string; payload: Record<string, unknown> }
  | { type: 'done'; state: unknown }
  | { type: 'failed'; error: SerializedError };
