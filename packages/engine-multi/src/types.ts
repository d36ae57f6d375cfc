import type { InstallOutcome } from '@fleet/repo';
import type { LogLevel, LogSource, SerializedError } from '@fleet/runtime';

/** What every engine event carries besides its own fields. */
export interface RunEventBase {
  workflowId: string;
  /** Nanoseconds since the epoch. */
  time: bigint;
}

/** The id of the run's process (`'-'` before it has one). */
type ThreadId = number | string;

export interface WorkflowStartEvent {
  threadId: ThreadId;
  /** Node's version and every adaptor version the run uses, by package name. */
  versions: Record<string, string | string[]>;
}

export interface JobStartEvent {
  jobId: string;
  threadId: ThreadId;
}

export interface WorkflowLogEvent {
  level: LogLevel;
  source: LogSource;
  /** The logged arguments, JSON-safe. */
  message: unknown[];
  threadId: ThreadId;
}

/** Set when a state was not reported: its size in bytes, over the run's payload limit. */
interface MaybeWithheld {
  withheld?: number;
}

export interface JobCompleteEvent extends MaybeWithheld {
  jobId: string;
  /** Undefined when withheld. */
  state: unknown;
  /** In ms. */
  duration: number;
  next: string[];
  /** Heap used and resident set size of the run's process, in bytes. */
  mem: { job: number; system: number };
  threadId: ThreadId;
}

export interface JobErrorEvent extends MaybeWithheld {
  jobId: string;
  state: unknown;
  error: SerializedError;
  duration: number;
  next: string[];
  threadId: ThreadId;
}

export interface WorkflowCompleteEvent extends MaybeWithheld {
  state: unknown;
  duration: number;
  threadId: ThreadId;
}

export interface WorkflowErrorEvent {
  /** The error's name: `TimeoutError`, `ExitError`, `CompileError`, … */
  type: string;
  message: string;
  /** `fail`, `crash`, `kill` or `exception`. */
  severity: string;
  threadId: ThreadId;
}

export interface AutoinstallCompleteEvent {
  module: string;
  version: string;
  /** How long this run waited for the adaptor, in ms. */
  duration: number;
  /** What the install did (`already-installed` when another worker installed it while this one waited for the lock). */
  outcome: InstallOutcome;
}

export interface AutoinstallErrorEvent {
  module: string;
  version: string;
  duration: number;
  message: string;
}

export interface AutoinstallEvents {
  'autoinstall-complete': AutoinstallCompleteEvent;
  'autoinstall-error': AutoinstallErrorEvent;
}

/** Every event of a run, by name: the one map from the engine to its users. */
export interface EngineEvents extends AutoinstallEvents {
  'workflow-start': WorkflowStartEvent;
  'job-start': JobStartEvent;
  'workflow-log': WorkflowLogEvent;
  'job-complete': JobCompleteEvent;
  'job-error': JobErrorEvent;
  'workflow-complete': WorkflowCompleteEvent;
  'workflow-error': WorkflowErrorEvent;
}

export type EngineEventName = keyof EngineEvents;

/** An event's payload as a listener receives it. */
export type EnginePayload<E extends EngineEventName> = EngineEvents[E] & RunEventBase;

/** Listeners of one run's events, for `engine.listen`. */
export type RunHandlers = { [E in EngineEventName]?: (payload: EnginePayload<E>) => void };
