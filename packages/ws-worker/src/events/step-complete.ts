import { randomUUID } from 'node:crypto';
import type { EnginePayload } from '@fleet/engine-multi';
import { DATACLIP_TOO_LARGE, FRAME_LIMIT_BYTES, fitsInFrame, type ExitReason, type StepCompletePayload } from '@fleet/lightning-protocol';
import { formatBytes } from '../util/format.js';
import { stepExitReason } from './exit-reason.js';
import type { RunState } from './run-state.js';
import { toMicros } from './timestamp.js';

export interface StepOutputOptions {
  runId: string;
  /** False: the output state stays on the worker; only its id is sent. */
  outputDataclips: boolean;
}

export interface StepCompleted {
  payload: StepCompletePayload;
  /**
   * Set when the output is not sent (DATACLIP_TOO_LARGE): its size in bytes,
   * and whether it was over the run's payload limit or, encoded, over Lightning's frame.
   */
  withheld?: { bytes: number; over: 'payload limit' | 'frame limit' };
}

/**
 * `job-complete` or `job-error` as `step:complete`. An output the engine
 * withheld, or one whose frame would pass Lightning's limit once encoded (its
 * JSON travels as a string, and escaping can grow it), goes as
 * DATACLIP_TOO_LARGE: no id, no body, and the steps after it get no input id.
 * Undefined when no step is active, which only an engine out of step with itself would cause.
 */
export function stepCompletePayload(
  state: RunState,
  event: EnginePayload<'job-complete'> | EnginePayload<'job-error'>,
  { runId, outputDataclips }: StepOutputOptions,
): StepCompleted | undefined {
  const active = state.activeStep;
  if (!active) return undefined;
  const reason = stepExitReason(event.jobId, event.state, 'error' in event ? event.error : undefined);
  const common = {
    job_id: active.jobId,
    step_id: active.stepId,
    ...reason,
    ...('mem' in event ? { mem: event.mem } : {}),
    duration: Math.round(event.duration),
    thread_id: event.threadId,
    timestamp: toMicros(event.time),
  };
  const sent = event.withheld === undefined ? sentOutput(event.state ?? {}, outputDataclips, common, runId) : { withheld: { bytes: event.withheld, over: 'payload limit' as const } };
  state.completeStep(event.next, reason, 'fields' in sent ? sent.fields.output_dataclip_id : undefined);
  if ('fields' in sent) return { payload: { ...common, ...sent.fields } };
  return { payload: { ...common, output_dataclip_error: DATACLIP_TOO_LARGE }, withheld: sent.withheld };
}

type OutputFields = Pick<StepCompletePayload, 'output_dataclip_id' | 'output_dataclip' | 'webhook_response'>;

function sentOutput(output: unknown, outputDataclips: boolean, common: object, runId: string): { fields: OutputFields } | { withheld: NonNullable<StepCompleted['withheld']> } {
  const body = JSON.stringify(output);
  const fields: OutputFields = { output_dataclip_id: randomUUID(), ...(outputDataclips ? { output_dataclip: body } : {}), ...webhookResponseOf(output) };
  if (fitsInFrame(`run:${runId}`, 'step:complete', JSON.stringify({ ...common, ...fields }))) return { fields };
  return { withheld: { bytes: Buffer.byteLength(body), over: 'frame limit' } };
}

/**
 * The step that was running when the run was killed or crashed from outside
 * (timeout, out of memory, shutdown): it never reported, so the worker closes it
 * with the run's reason and an empty output.
 */
export function interruptedStepPayload(state: RunState, reason: ExitReason, { outputDataclips }: Pick<StepOutputOptions, 'outputDataclips'>): StepCompletePayload | undefined {
  const outputDataclipId = randomUUID();
  const step = state.completeStep([], reason, outputDataclipId);
  if (!step) return undefined;
  return {
    job_id: step.jobId,
    step_id: step.stepId,
    output_dataclip_id: outputDataclipId,
    ...(outputDataclips ? { output_dataclip: '{}' } : {}),
    ...reason,
  };
}

// An HTTP-triggered workflow may set what Lightning answers its webhook with.
function webhookResponseOf(output: unknown): Pick<StepCompletePayload, 'webhook_response'> {
  const response = (output as { webhookResponse?: unknown } | null)?.webhookResponse;
  return typeof response === 'object' && response !== null && !Array.isArray(response)
    ? { webhook_response: response as Record<string, unknown> }
    : {};
}

/** The line a run's log gets for an output Lightning does not: what, how big, and why. */
export function withheldNote(what: string, { bytes, over }: NonNullable<StepCompleted['withheld']>, payloadLimitMb: number): string {
  const why =
    over === 'payload limit'
      ? `over the payload limit of ${payloadLimitMb} MB`
      : `too large, once encoded, for Lightning's ${FRAME_LIMIT_BYTES.toLocaleString('en')}-byte frames`;
  return `${what} (${formatBytes(bytes)}) is ${why}: it is not sent to Lightning (${DATACLIP_TOO_LARGE})`;
}
