import type { ExecutionPlan, RuntimeEvent } from '@fleet/runtime/executor';

/** What the engine asks a run process to do: execute one compiled plan. */
export interface RunTask {
  /** Compiled by the engine: a run process loads no compiler. */
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

/** By adaptor folder: the names it exports, or why it did not import. */
export type AdaptorExports = Record<string, string[] | { error: string }>;

export type ToChild = { type: 'prepare'; adaptorFolders: string[] } | { type: 'run'; task: RunTask };

export type FromChild =
  | { type: 'ready'; exports: AdaptorExports }
  | { type: 'event'; event: RuntimeEvent }
  | { type: 'done'; state: unknown }
  | { type: 'failed'; error: SerializedError };
