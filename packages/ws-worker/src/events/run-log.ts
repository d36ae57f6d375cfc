import { randomUUID } from 'node:crypto';
import type { EnginePayload } from '@fleet/engine-multi';
import type { LogLevel, RunLogPayload } from '@fleet/lightning-protocol';
import { nowMicros, toMicros } from './timestamp.js';

const LEVELS: Record<EnginePayload<'workflow-log'>['level'], LogLevel> = {
  debug: 'debug',
  info: 'info',
  // console.log in job code: Lightning has no `log` level.
  log: 'info',
  warn: 'warn',
  error: 'error',
};

/**
 * A `workflow-log` event as a `run:log` line, tagged with the step running at
 * the time. Every line gets its own id, so that one delivered twice (sent again
 * after a reconnect) is stored once.
 */
export function runLogPayload(runId: string, event: EnginePayload<'workflow-log'>, stepId: string | undefined): RunLogPayload {
  return {
    id: randomUUID(),
    run_id: runId,
    message: event.message,
    source: event.source,
    level: LEVELS[event.level],
    timestamp: toMicros(event.time),
    ...(stepId ? { step_id: stepId } : {}),
  };
}

/** A line the worker itself adds to the run's log. */
export function workerLogPayload(runId: string, source: string, level: LogLevel, message: string, stepId?: string): RunLogPayload {
  return { id: randomUUID(), run_id: runId, message: [message], source, level, timestamp: nowMicros(), ...(stepId ? { step_id: stepId } : {}) };
}
