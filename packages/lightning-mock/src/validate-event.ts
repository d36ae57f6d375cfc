import { EXIT_REASONS } from './types.js';
import {
  anything,
  array,
  arrayOf,
  either,
  isPlainObject,
  jsonText,
  microseconds,
  nonEmptyString,
  nullable,
  number,
  oneOf,
  optional,
  plainObject,
  problem,
  recordOf,
  required,
  shape,
  string,
  type Check,
  type Problem,
} from './validate-fields.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'success', 'always'];

const logLine = {
  message: required(array),
  source: required(nonEmptyString),
  level: required(oneOf(LOG_LEVELS)),
  timestamp: required(microseconds),
  step_id: optional(nonEmptyString),
};

// error_type/error_message are always sent, as JSON null on success.
const exit = {
  reason: required(oneOf(EXIT_REASONS)),
  error_type: required(nullable(string)),
  error_message: required(nullable(string)),
};

const byId = shape({ id: required(nonEmptyString) });

// Closed shapes: these payloads come from the worker under test, and a
// misspelt optional field (say `input_dataclipId`) is a bug worth failing on.
const PAYLOADS = {
  'fetch:plan': shape({}),
  'fetch:credential': byId,
  'fetch:dataclip': byId,
  'run:start': shape({
    versions: required(recordOf(either('must be a string or an array of strings', string, arrayOf(string)))),
    timestamp: required(microseconds),
  }),
  'step:start': shape({
    job_id: required(nonEmptyString),
    step_id: required(nonEmptyString),
    timestamp: required(microseconds),
    input_dataclip_id: optional(nonEmptyString),
    run_id: optional(nonEmptyString),
  }),
  'run:log': shape({ run_id: required(nonEmptyString), ...logLine }),
  'run:batch_logs': shape({
    run_id: required(nonEmptyString),
    logs: required(arrayOf(shape({ ...logLine, run_id: optional(nonEmptyString) }))),
  }),
  'step:complete': shape({
    ...exit,
    job_id: required(nonEmptyString),
    step_id: required(nonEmptyString),
    output_dataclip_id: optional(nonEmptyString),
    output_dataclip: optional(jsonText),
    output_dataclip_error: optional(oneOf(['DATACLIP_TOO_LARGE'])),
    mem: optional(shape({ job: required(number), system: required(number), peak: optional(number) })),
    duration: optional(number),
    thread_id: optional(either('must be a number or a string', number, string)),
    timestamp: optional(microseconds),
    webhook_response: optional(plainObject),
    run_id: optional(nonEmptyString),
  }),
  'run:complete': shape({
    ...exit,
    timestamp: optional(microseconds),
    final_state: optional(anything),
    final_dataclip_id: optional(nonEmptyString),
  }),
} satisfies Record<string, Check>;

export type RunEvent = keyof typeof PAYLOADS;

export const isRunEvent = (event: string): event is RunEvent => Object.hasOwn(PAYLOADS, event);

/** What the run has seen so far, for the checks that need more than the payload. */
export interface EventContext {
  runId: string;
  jobIds: ReadonlySet<string>;
  /** step_id → job_id of every accepted `step:start`. */
  steps: ReadonlyMap<string, string>;
  outputDataclipIds: ReadonlySet<string>;
}

/** Every problem with a run-channel payload; empty when the mock should accept it. */
export function validateEvent(event: RunEvent, payload: unknown, context: EventContext): Problem[] {
  const shapeProblems = PAYLOADS[event](payload, '');
  if (shapeProblems.length > 0 || !isPlainObject(payload)) return shapeProblems;
  return [...exitConsistency(payload), ...outputConsistency(event, payload), ...contextProblems(event, payload, context)];
}

/** A success carries no error: a half-filled exit reason is a worker bug. */
function exitConsistency(payload: Record<string, unknown>): Problem[] {
  if (payload.reason !== 'success') return [];
  return (['error_type', 'error_message'] as const).flatMap((field) =>
    payload[field] != null ? problem(field, 'must be null when reason is success') : [],
  );
}

/** A step's output has an id unless the engine withheld it as too large. */
function outputConsistency(event: RunEvent, payload: Record<string, unknown>): Problem[] {
  if (event !== 'step:complete' || payload.output_dataclip_id !== undefined || payload.output_dataclip_error !== undefined) return [];
  return problem('output_dataclip_id', 'is required unless output_dataclip_error is set');
}

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

function finalDataclipProblems({ final_dataclip_id }: Record<string, unknown>, { outputDataclipIds }: EventContext): Problem[] {
  if (final_dataclip_id === undefined || outputDataclipIds.has(final_dataclip_id as string)) return [];
  return problem('final_dataclip_id', `${String(final_dataclip_id)} is not the output_dataclip_id of any step:complete of this run`);
}
