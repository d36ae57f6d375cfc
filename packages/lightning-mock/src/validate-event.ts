import { check, isRunChannelEvent, RUN_EVENT_SCHEMAS, type Problem, type RunChannelEvent } from '@fleet/lightning-protocol';

export type RunEvent = RunChannelEvent;

export const isRunEvent = isRunChannelEvent;

/** What the run has seen so far, for the checks that need more than the payload. */
export interface EventContext {
  runId: string;
  jobIds: ReadonlySet<string>;
  /** step_id → job_id of every accepted `step:start`. */
  steps: ReadonlyMap<string, string>;
  outputDataclipIds: ReadonlySet<string>;
}

/**
 * Every problem with a run-channel payload; empty when the mock should accept
 * it. The shape is the protocol's; what the run has seen is the mock's, as it
 * is Lightning's database's.
 */
export function validateEvent(event: RunEvent, payload: unknown, context: EventContext): Problem[] {
  const checked = check(RUN_EVENT_SCHEMAS[event], payload);
  if (!checked.ok) return checked.problems;
  return contextProblems(event, checked.value as Record<string, unknown>, context);
}

const problem = (field: string, message: string): Problem[] => [{ field, message }];

function contextProblems(event: RunEvent, payload: Record<string, unknown>, context: EventContext): Problem[] {
  const runIdProblems =
    payload.run_id !== undefined && payload.run_id !== context.runId
      ? problem('run_id', `${String(payload.run_id)} does not match this channel's run ${context.runId}`)
      : [];
  switch (event) {
    case 'step:start':
      return [...runIdProblems, ...stepStartProblems(payload, context)];
    case 'step:complete':
      return [...runIdProblems, ...stepCompleteProblems(payload, context)];
    case 'run:complete':
      return finalDataclipProblems(payload, context);
    case 'run:batch_logs':
      return [...runIdProblems, ...batchRunIdProblems(payload, context)];
    default:
      return runIdProblems;
  }
}

function stepStartProblems({ job_id, step_id }: Record<string, unknown>, { jobIds, steps }: EventContext): Problem[] {
  return [
    ...(!jobIds.has(job_id as string) ? problem('job_id', `${String(job_id)} is not a job of this run's plan`) : []),
    ...(steps.has(step_id as string) ? problem('step_id', `${String(step_id)} was already started`) : []),
  ];
}

function stepCompleteProblems({ job_id, step_id }: Record<string, unknown>, { steps }: EventContext): Problem[] {
  const startedJob = steps.get(step_id as string);
  if (startedJob === undefined) return problem('step_id', `${String(step_id)} has no step:start`);
  return startedJob === job_id ? [] : problem('job_id', `${String(job_id)} differs from ${startedJob}, the job its step:start named`);
}

function batchRunIdProblems({ logs }: Record<string, unknown>, { runId }: EventContext): Problem[] {
  return (logs as Array<{ run_id?: string }>).flatMap((line, i) =>
    line.run_id !== undefined && line.run_id !== runId ? problem(`logs[${i}].run_id`, `${line.run_id} does not match this channel's run ${runId}`) : [],
  );
}

function finalDataclipProblems({ final_dataclip_id }: Record<string, unknown>, { outputDataclipIds }: EventContext): Problem[] {
  if (final_dataclip_id === undefined || outputDataclipIds.has(final_dataclip_id as string)) return [];
  return problem('final_dataclip_id', `${String(final_dataclip_id)} is not the output_dataclip_id of any step:complete of this run`);
}
