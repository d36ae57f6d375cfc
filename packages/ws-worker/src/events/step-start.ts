import type { EnginePayload } from '@fleet/engine-multi';
import type { StepStartPayload } from '@fleet/lightning-protocol';
import type { RunState } from './run-state.js';
import { toMicros } from './timestamp.js';

/** `job-start` as `step:start`: the worker names the step and says which dataclip feeds it. */
export function stepStartPayload(state: RunState, event: EnginePayload<'job-start'>): StepStartPayload {
  const { jobId } = event;
  const { stepId, inputDataclipId } = state.startStep(jobId);
  return {
    job_id: jobId,
    step_id: stepId,
    timestamp: toMicros(event.time),
    ...(inputDataclipId ? { input_dataclip_id: inputDataclipId } : {}),
  };
}
