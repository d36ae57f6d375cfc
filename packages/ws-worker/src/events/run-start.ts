import type { RunStartPayload } from '../types/lightning.js';
import { toMicros } from './timestamp.js';

/**
 * `workflow-start` as `run:start`. The engine reports node's version and every
 * adaptor version the run uses; the worker adds its own.
 */
export function runStartPayload(event: Record<string, unknown>, workerVersion: string): RunStartPayload {
  return { versions: { worker: workerVersion, ...versionsOf(event.versions) }, timestamp: toMicros(event.time) };
}

/** The versions as one log line per entry, for the run's log (source `VER`). */
export function versionsBanner({ versions }: RunStartPayload): string {
  const width = Math.max(...Object.keys(versions).map((name) => name.length));
  const lines = Object.entries(versions).map(([name, version]) => `    ▸ ${name.padEnd(width + 4)}${[version].flat().join(', ')}`);
  return ['Versions:', ...lines].join('\n');
}

function versionsOf(value: unknown): Record<string, string | string[]> {
  if (typeof value !== 'object' || value === null) return {};
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string | string[]] => typeof entry[1] === 'string' || (Array.isArray(entry[1]) && entry[1].every((v) => typeof v === 'string')),
  );
  return Object.fromEntries(entries);
}
