import type { LogLevel, RunLogPayload } from '../types/lightning.js';
import { nowMicros, toMicros } from './timestamp.js';

const LEVELS = new Map<string, LogLevel>([
  ['debug', 'debug'],
  ['info', 'info'],
  // console.log in job code: Lightning has no `log` level.
  ['log', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['success', 'success'],
  ['always', 'always'],
]);

/**
 * A `workflow-log` event as a `run:log` line, tagged with the step running at
 * the time. The message is the list of the logged arguments; an engine may
 * also send it as JSON text of that list, or as one plain string.
 */
export function runLogPayload(runId: string, event: Record<string, unknown>, stepId: string | undefined): RunLogPayload {
  return {
    run_id: runId,
    message: messageList(event.message),
    source: typeof event.name === 'string' ? event.name : 'R/T',
    level: LEVELS.get(String(event.level)) ?? 'info',
    timestamp: toMicros(event.time),
    ...(stepId ? { step_id: stepId } : {}),
  };
}

/** A line the worker itself adds to the run's log. */
export function workerLogPayload(runId: string, source: string, level: LogLevel, message: string): RunLogPayload {
  return { run_id: runId, message: [message], source, level, timestamp: nowMicros() };
}

function messageList(message: unknown): unknown[] {
  if (Array.isArray(message)) return message;
  if (typeof message === 'string') {
    try {
      const parsed: unknown = JSON.parse(message);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // plain text, not JSON
    }
  }
  return [message];
}
