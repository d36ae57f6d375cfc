import type { EnginePayload } from '@fleet/engine-multi';
import type { ExitReason, StepCompletePayload } from '@fleet/lightning-protocol';
import { stepExitReason } from './exit-reason.js';
import type { RunState } from './run-state.js';
import { toMicros } from './timestamp.js';

export interface StepOutputOptions {
  /** False: the output state stays on the worker; only its id is sent. */
  outputDataclips: boolean;
}

/**
 * `job-complete` or `job-error` as `step:complete`. Undefined when no step is
 * active, which only an engine out of step with itself would cause.
 */
export function stepCompletePayload(
  state: RunState,
  event: EnginePayload<'job-complete'> | EnginePayload<'job-error'>,
  { outputDataclips }: StepOutputOptions,
): StepCompletePayload | undefined {
  const reason = stepExitReason(event.jobId, event.state, 'error' in event ? event.error : undefined);
  const completed = state.completeStep(event.next, reason);
  if (!completed) return undefined;
  const output = event.state ?? {};
  return {
    job_id: completed.step.jobId,
    step_id: completed.step.stepId,
    output_dataclip_id: completed.outputDataclipId,
    ...(outputDataclips ? { output_dataclip: JSON.stringify(output) } : {}),
    ...reason,
    ...('mem' in event ? { mem: event.mem } : {}),
    duration: Math.round(event.duration),
    thread_id: event.threadId,
    timestamp: toMicros(event.time),
    ...webhookResponseOf(output),
  };
}

/**
 * The step that was running when the run was killed or crashed from outside
 * (timeout, out of memory, shutdown): it never reported, so the worker closes it
 * with the run's reason and an empty output.
 */
export function interruptedStepPayload(state: RunState, reason: ExitReason, { outputDataclips }: StepOutputOptions): StepCompletePayload | undefined {
  const completed = state.completeStep([], reason);
  if (!completed) return undefined;
  return {
    job_id: completed.step.jobId,
    step_id: completed.step.stepId,
    output_dataclip_id: completed.outputDataclipId,
    ...(outputDataclips ? { output_dataclip: '{}' } : {}),
    ...reason,
  };
}

// An HTTP-triggered workflow may set what Lightning answers its webhook with.
function webhookResponseOf(output: unknown): Pick<StepCompletePayload, 'webhook_response'> {
  const response = (output as { webhookResponse?: unknown }).webhookResponse;
  return typeof response === 'object' && response !== null && !Array.isArray(response)
    ? { webhook_response: response as Record<string, unknown> }
    : {};
}
