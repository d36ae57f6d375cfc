import type { EnginePayload } from '@fleet/engine-multi';
import type { ExitReason, RunCompletePayload, RunLogPayload } from '@fleet/lightning-protocol';
import { workerLogPayload } from './run-log.js';
import { toMicros } from './timestamp.js';

/**
 * `workflow-complete` as `run:complete`, with the final state and, for a single
 * leaf, its dataclip id; a final state the engine withheld is left out, and so is its id.
 */
export function runCompletePayload(
  reason: ExitReason,
  event: EnginePayload<'workflow-complete'>,
  finalDataclipId: string | undefined,
): RunCompletePayload {
  if (event.withheld !== undefined) return { ...reason, timestamp: toMicros(event.time) };
  return {
    ...reason,
    timestamp: toMicros(event.time),
    final_state: event.state ?? null,
    ...(finalDataclipId ? { final_dataclip_id: finalDataclipId } : {}),
  };
}

/** The lines that close a run's log: its status, and what went wrong if anything did. */
export function statusLogs(runId: string, { reason, error_type, error_message }: ExitReason): RunLogPayload[] {
  const status = workerLogPayload(runId, 'R/T', reason === 'success' ? 'success' : 'error', `Run complete with status: ${reason}`);
  if (reason === 'success') return [status];
  return [status, workerLogPayload(runId, 'R/T', 'error', `${error_type ?? 'Error'}: ${error_message ?? 'unknown'}`)];
}
