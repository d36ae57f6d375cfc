import type { ExecutionPlan } from '@fleet/runtime';
import type { EventEmitter } from 'node:events';
import type { Engine, EngineEventName, ExecuteOptions } from '../../src/index.js';

export interface RunEvent {
  name: string;
  payload: Record<string, unknown>;
}

const EVENTS: EngineEventName[] = [
  'workflow-start',
  'job-start',
  'workflow-log',
  'job-complete',
  'job-error',
  'workflow-complete',
  'workflow-error',
  'autoinstall-complete',
  'autoinstall-error',
];

/** Executes a plan and resolves, once it ends, with every event it emitted in order. */
export function runPlan(engine: Engine, plan: ExecutionPlan, input?: unknown, options?: ExecuteOptions): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  return new Promise((resolve) => {
    // Every event by name, as loosely as a test reads them.
    const emitter = engine.execute(plan, input, options) as unknown as EventEmitter;
    for (const name of EVENTS) {
      emitter.on(name, (payload: Record<string, unknown>) => {
        events.push({ name, payload });
        if (name === 'workflow-complete' || name === 'workflow-error') resolve(events);
      });
    }
  });
}

let counter = 0;

/** A linear or branching plan of job steps using one adaptor. */
export function planOf(
  adaptor: string,
  steps: Array<{ id: string; expression: string; next?: Record<string, unknown>; configuration?: unknown }>,
): ExecutionPlan {
  counter += 1;
  return {
    id: `run-${process.pid}-${counter}`,
    workflow: { steps: steps.map((step) => ({ adaptors: [adaptor], ...step }) as ExecutionPlan['workflow']['steps'][number]) },
  };
}

export const final = (events: RunEvent[]): RunEvent | undefined =>
  events.find((event) => event.name === 'workflow-complete' || event.name === 'workflow-error');
