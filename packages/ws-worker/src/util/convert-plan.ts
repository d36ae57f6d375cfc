import type { EdgeCondition, ExecutionPlan, JobStep, Step, TriggerStep } from '@fleet/engine-multi';
import { InvalidPlanError } from '../errors.js';
import type { LightningEdge, LightningJob, LightningPlan } from '../types/lightning.js';

/** Per-run settings from the plan's `options`. */
export interface RunOptions {
  runTimeoutMs?: number;
  memoryLimitMb?: number;
  /** False: step outputs are not sent back to Lightning (their ids still are). */
  outputDataclips: boolean;
}

export interface ConvertedPlan {
  plan: ExecutionPlan;
  /** The input dataclip to fetch, when the run has one. */
  dataclipId: string | undefined;
  options: RunOptions;
}

/**
 * A Lightning run plan as the engine runs it: triggers first, then jobs, each
 * with `next` built from its outgoing edges. Pure. Throws InvalidPlanError,
 * naming every problem, rather than hand the engine a plan it would half-run.
 */
export function convertPlan(input: unknown): ConvertedPlan {
  const problems = planProblems(input);
  if (problems.length > 0) throw new InvalidPlanError(problems);
  const lightning = input as LightningPlan;
  const edges = (lightning.edges ?? []).filter((edge) => edge.enabled !== false);
  const triggers = (lightning.triggers ?? []).map(({ id }): TriggerStep => withNext({ id }, edges, 'source_trigger_id'));
  const jobs = lightning.jobs.map((job): JobStep => withNext(jobStep(job), edges, 'source_job_id'));
  const start = lightning.starting_node_id ?? undefined;
  return {
    plan: {
      id: lightning.id,
      ...(start ? { options: { start } } : {}),
      workflow: {
        ...(lightning.name ? { name: lightning.name } : {}),
        ...(typeof lightning.globals === 'string' ? { globals: lightning.globals } : {}),
        steps: [...triggers, ...jobs],
      },
    },
    dataclipId: lightning.dataclip_id ?? undefined,
    options: runOptions(lightning.options ?? {}),
  };
}

function jobStep({ id, name, body, adaptor, credential, credential_id, state }: LightningJob): JobStep {
  // An inline credential is used as it is; an id is fetched by the engine through fetch:credential.
  const configuration = credential ?? credential_id ?? undefined;
  return {
    id,
    ...(name ? { name } : {}),
    expression: body,
    adaptors: [adaptor],
    ...(configuration !== undefined ? { configuration } : {}),
    ...(state !== undefined && state !== null ? { state } : {}),
  };
}

// Disabled edges are already gone: the runtime would skip them, and leaving them
// out keeps a step whose only edges are disabled a leaf.
function withNext<S extends Step>(step: S, edges: LightningEdge[], source: 'source_job_id' | 'source_trigger_id'): S {
  const outgoing = edges.filter((edge) => edge[source] === step.id);
  if (outgoing.length === 0) return step;
  const next: Record<string, EdgeCondition> = {};
  for (const edge of outgoing) next[edge.target_job_id] = edgeCondition(edge.condition);
  return { ...step, next };
}

const edgeCondition = (condition: string | null | undefined): EdgeCondition =>
  !condition || condition === 'always' ? true : { condition };

// Keys the engine has no use for (payload limits, sanitize, job log level) are ignored.
function runOptions(options: Record<string, unknown>): RunOptions {
  const { run_timeout_ms: timeout, run_memory_limit_mb: memory, output_dataclips: outputs } = options;
  return {
    ...(typeof timeout === 'number' ? { runTimeoutMs: Math.round(timeout) } : {}),
    ...(typeof memory === 'number' ? { memoryLimitMb: Math.round(memory) } : {}),
    outputDataclips: outputs !== false,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isId = (value: unknown): value is string => typeof value === 'string' && value !== '';

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

function planProblems(plan: unknown): string[] {
  if (!isObject(plan)) return ['the plan is not an object'];
  const problems: string[] = [];
  if (!isId(plan.id)) problems.push('id must be a non-empty string');
  if (!Array.isArray(plan.jobs) || plan.jobs.length === 0) problems.push('jobs must be a non-empty array');
  for (const key of ['triggers', 'edges'] as const) {
    if (!isAbsent(plan[key]) && !Array.isArray(plan[key])) problems.push(`${key} must be an array`);
  }
  for (const key of ['dataclip_id', 'starting_node_id'] as const) {
    if (!isAbsent(plan[key]) && !isId(plan[key])) problems.push(`${key} must be a non-empty string`);
  }
  if (problems.length > 0) return problems;
  const triggers = (plan.triggers as unknown[] | undefined) ?? [];
  const jobs = plan.jobs as unknown[];
  const edges = (plan.edges as unknown[] | undefined) ?? [];
  return [
    ...triggers.flatMap((trigger, i) => (isObject(trigger) && isId(trigger.id) ? [] : [`triggers[${i}].id must be a non-empty string`])),
    ...jobs.flatMap(jobProblems),
    ...referenceProblems(plan, triggers as { id: string }[], jobs as { id: string }[], edges),
    ...optionProblems(plan.options),
  ];
}

function jobProblems(job: unknown, i: number): string[] {
  if (!isObject(job)) return [`jobs[${i}] must be an object`];
  return [
    ...(isId(job.id) ? [] : [`jobs[${i}].id must be a non-empty string`]),
    ...(typeof job.body === 'string' ? [] : [`jobs[${i}].body must be a string`]),
    ...(isId(job.adaptor) ? [] : [`jobs[${i}].adaptor must be a non-empty string`]),
    ...(isAbsent(job.credential_id) || isId(job.credential_id) ? [] : [`jobs[${i}].credential_id must be a non-empty string`]),
  ];
}

// The runtime would also refuse a dangling edge or start, but only once the run
// has started; caught here, the run ends before anything is installed.
function referenceProblems(plan: Record<string, unknown>, triggers: { id: string }[], jobs: { id: string }[], edges: unknown[]): string[] {
  const jobIds = new Set(jobs.map((job) => job.id));
  const nodeIds = new Set([...triggers.map((trigger) => trigger.id), ...jobIds]);
  const problems = edges.flatMap((edge, i) => {
    if (!isObject(edge)) return [`edges[${i}] must be an object`];
    const source = edge.source_job_id ?? edge.source_trigger_id;
    return [
      ...(isId(source) && nodeIds.has(source) ? [] : [`edges[${i}] must start at a job or trigger of the plan`]),
      ...(isId(edge.target_job_id) && jobIds.has(edge.target_job_id) ? [] : [`edges[${i}].target_job_id must be a job of the plan`]),
      ...(isAbsent(edge.condition) || typeof edge.condition === 'string' ? [] : [`edges[${i}].condition must be a string`]),
    ];
  });
  const start = plan.starting_node_id;
  if (isId(start) && !nodeIds.has(start)) problems.push(`starting_node_id ${start} is not a job or trigger of the plan`);
  return problems;
}

function optionProblems(options: unknown): string[] {
  if (isAbsent(options)) return [];
  if (!isObject(options)) return ['options must be an object'];
  const problems: string[] = [];
  for (const key of ['run_timeout_ms', 'run_memory_limit_mb'] as const) {
    const value = options[key];
    if (!isAbsent(value) && !(typeof value === 'number' && Number.isFinite(value) && value >= 1)) {
      problems.push(`options.${key} must be a number of at least 1`);
    }
  }
  if (!isAbsent(options.output_dataclips) && typeof options.output_dataclips !== 'boolean') {
    problems.push('options.output_dataclips must be a boolean');
  }
  return problems;
}
