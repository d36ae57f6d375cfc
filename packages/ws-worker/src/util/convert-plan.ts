import type { EdgeCondition, ExecutionPlan, JobLogLevel, JobStep, SanitizePolicy, Step, TriggerStep } from '@fleet/engine-multi';
import { InvalidPlanError } from '../errors.js';
import { MAX_TIMER_MS } from './parse-value.js';
import { checkPlan, describeProblem, type LightningEdge, type LightningJob, type LightningRunOptions } from '@fleet/lightning-protocol';

/** Per-run settings from the plan's `options`. */
export interface RunOptions {
  runTimeoutMs?: number;
  memoryLimitMb?: number;
  /** Lower the worker's own limits for this run; never raise them. */
  payloadLimitMb?: number;
  logPayloadLimitMb?: number;
  /** False: step outputs are not sent back to Lightning (their ids still are). */
  outputDataclips: boolean;
  jobLogLevel?: JobLogLevel;
  sanitize?: SanitizePolicy;
}

export interface ConvertedPlan {
  plan: ExecutionPlan;
  /** The input dataclip to fetch, when the run has one. */
  dataclipId: string | undefined;
  options: RunOptions;
}

/** Collections on: Lightning's collections API, the adaptor version jobs get, and the run's token for it. */
export interface CollectionsAccess {
  url: string;
  version: string;
  token: string;
}

export interface ConvertOptions {
  /** Undefined: collections are off. */
  collections?: CollectionsAccess | undefined;
}

export const COLLECTIONS_ADAPTOR = '@openfn/language-collections';

/**
 * A Lightning run plan as the engine runs it: triggers first, then jobs, each
 * with `next` built from its outgoing edges; with collections on, jobs that use
 * them get the collections adaptor and the workflow its credentials. Pure.
 * Throws InvalidPlanError, naming every problem, rather than hand the engine a
 * plan it would half-run.
 */
export function convertPlan(input: unknown, { collections }: ConvertOptions = {}): ConvertedPlan {
  const checked = checkPlan(input);
  if (!checked.ok) throw new InvalidPlanError(checked.problems.map(describeProblem));
  const lightning = checked.value;
  const edges = (lightning.edges ?? []).filter((edge) => edge.enabled !== false);
  const triggers = (lightning.triggers ?? []).map(({ id }): TriggerStep => withNext({ id }, edges, 'source_trigger_id'));
  const jobs = lightning.jobs.map((job): JobStep => withNext(withCollections(jobStep(job), collections?.version), edges, 'source_job_id'));
  const start = lightning.starting_node_id ?? undefined;
  // The run's own token opens the collections API for it, and only for as long as the run lasts.
  const credentials = collections && jobs.some(hasCollectionsAdaptor)
    ? { collections_token: collections.token, collections_endpoint: collections.url, ...(lightning.project_id ? { project_id: lightning.project_id } : {}) }
    : undefined;
  return {
    plan: {
      id: lightning.id,
      ...(start ? { options: { start } } : {}),
      workflow: {
        ...(lightning.name ? { name: lightning.name } : {}),
        ...(typeof lightning.globals === 'string' ? { globals: lightning.globals } : {}),
        ...(credentials ? { credentials } : {}),
        steps: [...triggers, ...jobs],
      },
    },
    dataclipId: lightning.dataclip_id ?? undefined,
    options: runOptions(lightning.options ?? {}),
  };
}

// As the reference worker: a job whose code says `collections.` gets the collections adaptor beside its own.
const usesCollections = (job: JobStep): boolean => /collections\./.test(job.expression);

const hasCollectionsAdaptor = (job: JobStep): boolean => job.adaptors?.some((adaptor) => adaptor.startsWith(COLLECTIONS_ADAPTOR)) ?? false;

function withCollections(job: JobStep, version: string | undefined): JobStep {
  if (version === undefined || !usesCollections(job) || hasCollectionsAdaptor(job)) return job;
  return { ...job, adaptors: [...(job.adaptors ?? []), `${COLLECTIONS_ADAPTOR}@${version}`] };
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
  // fromEntries defines own keys: assigning next["__proto__"] would set the object's prototype instead.
  const next: Record<string, EdgeCondition> = Object.fromEntries(outgoing.map((edge) => [edge.target_job_id, edgeCondition(edge.condition)]));
  return { ...step, next };
}

const edgeCondition = (condition: string | null | undefined): EdgeCondition =>
  !condition || condition === 'always' ? true : { condition };

function runOptions(options: LightningRunOptions): RunOptions {
  const { run_timeout_ms: timeout, run_memory_limit_mb: memory, output_dataclips: outputs, job_log_level: jobLogLevel, sanitize } = options;
  const { payload_limit_mb: payload, log_payload_limit_mb: logPayload } = options;
  return {
    // Past what a timer holds, Node fires at once: a month-long limit would kill the run in a second.
    ...(typeof timeout === 'number' ? { runTimeoutMs: Math.min(Math.round(timeout), MAX_TIMER_MS) } : {}),
    ...(typeof memory === 'number' ? { memoryLimitMb: Math.round(memory) } : {}),
    ...(typeof payload === 'number' ? { payloadLimitMb: payload } : {}),
    ...(typeof logPayload === 'number' ? { logPayloadLimitMb: logPayload } : {}),
    outputDataclips: outputs !== false,
    ...(jobLogLevel ? { jobLogLevel } : {}),
    ...(sanitize ? { sanitize } : {}),
  };
}
