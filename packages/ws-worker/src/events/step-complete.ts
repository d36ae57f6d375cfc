import type { ExitReason, StepCompletePayload } from '../types/lightning.js';
import { stepExitReason, type EngineError } from './exit-reason.js';
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
  event: Record<string, unknown>,
  { outputDataclips }: StepOutputOptions,
): StepCompletePayload | undefined {
  const jobId = String(event.jobId);
  const reason = stepExitReason(jobId, event.state, event.error as EngineError | undefined);
  const next = Array.isArray(event.next) ? event.next.map(String) : [];
  const completed = state.completeStep(next, reason);
  if (!completed) return undefined;
  const output = event.state ?? {};
  return {
    job_id: completed.step.jobId,
    step_id: completed.step.stepId,
    output_dataclip_id: completed.outputDataclipId,
    ...(outputDataclips ? { output_dataclip: JSON.stringify(output) } : {}),
    ...reason,
    ...memoryOf(event.mem),
    ...(typeof event.duration === 'number' ? { duration: Math.round(event.duration) } : {}),
    ...(typeof event.threadId === 'number' || typeof event.threadId === 'string' ? { thread_id: event.threadId } : {}),
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

function memoryOf(mem: unknown): Pick<StepCompletePayload, 'mem'> {
  const { job, system } = (mem ?? {}) as { job?: unknown; system?: unknown };
  return typeof job === 'number' && typeof system === 'number' ? { mem: { job, system } } : {};
}

// An HTTP-triggered workflow may set what Lightning answers its webhook with.
function webhookResponseOf(output: unknown): Pick<StepCompletePayload, 'webhook_response'> {
  const response = (output as { webhookResponse?: unknown }).webhookResponse;
  return typeof response === 'object' && response !== null && !Array.isArray(response)
    ? { webhook_response: response as Record<string, unknown> }
    : {};
}
