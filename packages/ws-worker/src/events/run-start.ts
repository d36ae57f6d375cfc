import type { EnginePayload } from '@fleet/engine-multi';
import type { RunStartPayload } from '@fleet/lightning-protocol';
import { toMicros } from './timestamp.js';

/**
 * `workflow-start` as `run:start`. The engine reports node's version and every
 * adaptor version the run uses; the worker adds its own.
 */
export function runStartPayload(event: EnginePayload<'workflow-start'>, workerVersion: string): RunStartPayload {
  return { versions: { worker: workerVersion, ...event.versions }, timestamp: toMicros(event.time) };
}

/** The versions as one log line per entry, for the run's log (source `VER`). */
export function versionsBanner({ versions }: RunStartPayload): string {
  const width = Math.max(...Object.keys(versions).map((name) => name.length));
  const lines = Object.entries(versions).map(([name, version]) => `    ▸ ${name.padEnd(width + 4)}${[version].flat().join(', ')}`);
  return ['Versions:', ...lines].join('\n');
}
