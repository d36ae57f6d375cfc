import type { SerializedError } from './errors.js';

export type LogLevel = 'debug' | 'info' | 'log' | 'warn' | 'error';

/**
 * `JOB`: written by job code through `console`; `R/T`: written by the runtime
 * about the job; `ADA`: written by adaptor code through the process's console
 * (an engine routes it to the run).
 */
export type LogSource = 'JOB' | 'R/T' | 'ADA';

export type RuntimeEvent =
  | { type: 'job-start'; jobId: string }
  | {
      type: 'job-complete';
      jobId: string;
      state: unknown;
      duration: number;
      next: string[];
      mem: { job: number; system: number };
    }
  | { type: 'job-error'; jobId: string; state: unknown; error: SerializedError; duration: number; next: string[] }
  /** `time`: nanoseconds since the epoch, as a string because it exceeds Number.MAX_SAFE_INTEGER. */
  | { type: 'log'; level: LogLevel; source: LogSource; message: unknown[]; time: string };

export type Notify = (event: RuntimeEvent) => void;
