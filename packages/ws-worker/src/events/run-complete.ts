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

/** The line that closes a run's log, at level info as the reference's: its status, and what went wrong if anything did. */
export function statusLog(runId: string, { reason, error_type, error_message }: ExitReason): RunLogPayload {
  const failure = reason === 'success' ? '' : `\n${error_type ?? 'Error'}: ${error_message ?? 'unknown'}`;
  return workerLogPayload(runId, 'R/T', 'info', `Run complete with status: ${reason}${failure}`);
}
