// The plan Lightning sends in reply to `fetch:plan`, and what makes one valid.
import { z } from 'zod';
import { flag, list, nonEmpty, num, oneOf, open, text } from './fields.js';
import { check, type Checked } from './problems.js';

/** Lightning's project setting for job logs; `none` switches them off. */
export const JOB_LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'none'] as const;
export type JobLogLevel = (typeof JOB_LOG_LEVELS)[number];

/** What happens to objects and arrays in job log lines (the reference logger's policies). */
export const SANITIZE_POLICIES = ['none', 'remove', 'summarize', 'obfuscate'] as const;
export type SanitizePolicy = (typeof SANITIZE_POLICIES)[number];

const atLeastOne = () => num().min(1, 'must be a number of at least 1');
const megabytes = () => num().nonnegative('must be a number of megabytes, 0 or more');

const job = open({
  id: nonEmpty(),
  adaptor: nonEmpty(),
  body: text(),
  name: text().nullish(),
  /** A credential id, fetched with `fetch:credential` when the run starts. */
  credential_id: nonEmpty().nullish(),
  /** An inline credential body. */
  credential: z.unknown().optional(),
  state: z.unknown().optional(),
});

const trigger = open({ id: nonEmpty(), type: oneOf(['webhook', 'cron', 'kafka']).optional() });

const edge = open({
  id: nonEmpty(),
  source_job_id: nonEmpty().nullish(),
  source_trigger_id: nonEmpty().nullish(),
  target_job_id: nonEmpty(),
  /** `always`, `on_job_success`, `on_job_failure` or a JavaScript expression. */
  condition: text().nullish(),
  enabled: flag().optional(),
});

export const runOptionsSchema = open({
  run_timeout_ms: atLeastOne().nullish(),
  run_memory_limit_mb: atLeastOne().nullish(),
  /** Lowers the worker's payload limit for this run (never raises it). */
  payload_limit_mb: megabytes().nullish(),
  log_payload_limit_mb: megabytes().nullish(),
  /** False: step outputs stay on the worker; only their ids are sent. */
  output_dataclips: flag().nullish(),
  job_log_level: oneOf(JOB_LOG_LEVELS).nullish(),
  sanitize: oneOf(SANITIZE_POLICIES).nullish(),
});

export const planSchema = open({
  id: nonEmpty(),
  name: text().nullish(),
  project_id: text().nullish(),
  dataclip_id: nonEmpty().nullish(),
  starting_node_id: nonEmpty().nullish(),
  triggers: list(trigger).nullish(),
  jobs: list(job).min(1, 'must contain at least one job'),
  edges: list(edge).nullish(),
  options: runOptionsSchema.nullish(),
  globals: text().nullish(),
}).superRefine((plan, context) => {
  for (const { path, message } of referenceProblems(plan)) context.addIssue({ code: 'custom', path, message });
});

export type LightningPlan = z.infer<typeof planSchema>;
export type LightningJob = LightningPlan['jobs'][number];
export type LightningEdge = NonNullable<LightningPlan['edges']>[number];
export type LightningTrigger = NonNullable<LightningPlan['triggers']>[number];
export type LightningRunOptions = z.infer<typeof runOptionsSchema>;

/** The plan, checked: its shape, unique ids, and edges and a start between nodes it has. */
export const checkPlan = (value: unknown): Checked<LightningPlan> => check(planSchema, value, 'plan');

type Path = Array<string | number>;

// What Lightning's database guarantees, checked here because a worker would
// otherwise half-run a plan that breaks it.
function referenceProblems({ jobs, triggers = [], edges = [], starting_node_id }: LightningPlan): Array<{ path: Path; message: string }> {
  const jobIds = new Set(jobs.map((j) => j.id));
  const triggerIds = new Set((triggers ?? []).map((t) => t.id));
  const nodes: Array<[string, Path]> = [
    ...(triggers ?? []).map((t, i): [string, Path] => [t.id, ['triggers', i, 'id']]),
    ...jobs.map((j, i): [string, Path] => [j.id, ['jobs', i, 'id']]),
  ];
  const problems = [
    ...duplicates(nodes, 'node'),
    ...duplicates(
      (edges ?? []).map((e, i): [string, Path] => [e.id, ['edges', i, 'id']]),
      'edge',
    ),
    ...(edges ?? []).flatMap((e, i) => edgeProblems(e, ['edges', i], jobIds, triggerIds)),
  ];
  if (starting_node_id != null && !jobIds.has(starting_node_id) && !triggerIds.has(starting_node_id)) {
    problems.push({ path: ['starting_node_id'], message: `${starting_node_id} is not a job or trigger of this plan` });
  }
  return problems;
}

function edgeProblems(e: LightningEdge, path: Path, jobIds: Set<string>, triggerIds: Set<string>): Array<{ path: Path; message: string }> {
  const { source_job_id: sourceJob, source_trigger_id: sourceTrigger, target_job_id: target } = e;
  if ((sourceJob == null) === (sourceTrigger == null)) return [{ path, message: 'must have exactly one of source_job_id and source_trigger_id' }];
  return [
    ...(sourceJob != null && !jobIds.has(sourceJob) ? [{ path: [...path, 'source_job_id'], message: `${sourceJob} is not a job of this plan` }] : []),
    ...(sourceTrigger != null && !triggerIds.has(sourceTrigger)
      ? [{ path: [...path, 'source_trigger_id'], message: `${sourceTrigger} is not a trigger of this plan` }]
      : []),
    ...(!jobIds.has(target) ? [{ path: [...path, 'target_job_id'], message: `${target} is not a job of this plan` }] : []),
  ];
}

/** Every later use of an id already seen, by the path of that later use. */
function duplicates(ids: Array<[id: string, path: Path]>, kind: 'node' | 'edge'): Array<{ path: Path; message: string }> {
  const seen = new Set<string>();
  return ids.flatMap(([id, path]) => {
    if (seen.has(id)) return [{ path, message: `${id} is already the id of another ${kind}` }];
    seen.add(id);
    return [];
  });
}
