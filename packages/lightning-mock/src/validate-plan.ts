import { InvalidPlanError } from './errors.js';
import type { LightningEdge, LightningPlan } from './types.js';
import {
  anything,
  arrayOf,
  boolean,
  describeProblem,
  isPlainObject,
  nonEmptyString,
  nullable,
  oneOf,
  optional,
  plainObject,
  problem,
  required,
  shape,
  string,
  type Problem,
} from './validate-fields.js';

/** A checked plan; the run id may still be missing (enqueueRun assigns one). */
export type ValidPlan = Omit<LightningPlan, 'id'> & { id?: string };

// Open shapes: Lightning adds plan fields over time and the mock only needs
// these to serve runs; unknown keys are passed through to the worker.
const job = shape(
  {
    id: required(nonEmptyString),
    adaptor: required(nonEmptyString),
    body: required(string),
    name: optional(nullable(string)),
    credential_id: optional(nullable(nonEmptyString)),
    credential: optional(anything),
    state: optional(anything),
  },
  { open: true },
);

const trigger = shape({ id: required(nonEmptyString), type: optional(oneOf(['webhook', 'cron'])) }, { open: true });

const edge = shape(
  {
    id: required(nonEmptyString),
    source_job_id: optional(nullable(nonEmptyString)),
    source_trigger_id: optional(nullable(nonEmptyString)),
    target_job_id: required(nonEmptyString),
    condition: optional(nullable(string)),
    enabled: optional(boolean),
  },
  { open: true },
);

const plan = shape(
  {
    id: optional(nonEmptyString),
    jobs: required(arrayOf(job)),
    triggers: optional(arrayOf(trigger)),
    edges: optional(arrayOf(edge)),
    starting_node_id: optional(nonEmptyString),
    dataclip_id: optional(nonEmptyString),
    name: optional(nullable(string)),
    project_id: optional(nullable(string)),
    options: optional(plainObject),
    globals: optional(string),
  },
  { open: true },
);

/** Throws InvalidPlanError listing every problem, each naming its field. */
export function validatePlan(value: unknown): ValidPlan {
  const shapeProblems = plan(value, '');
  if (shapeProblems.length > 0 || !isPlainObject(value)) {
    throw new InvalidPlanError(shapeProblems.map(describeProblem));
  }
  const checked = { ...value, triggers: value.triggers ?? [], edges: value.edges ?? [] } as ValidPlan;
  const referenceProblems = checkReferences(checked);
  if (referenceProblems.length > 0) {
    throw new InvalidPlanError(referenceProblems.map(describeProblem));
  }
  return checked;
}

/** What Lightning's database guarantees: unique ids and edges between real nodes. */
function checkReferences({ jobs, triggers, edges, starting_node_id }: ValidPlan): Problem[] {
  const jobIds = new Set(jobs.map((j) => j.id));
  const triggerIds = new Set(triggers.map((t) => t.id));
  const nodes = [...triggers.map((t, i) => [t.id, `triggers[${i}].id`] as const), ...jobs.map((j, i) => [j.id, `jobs[${i}].id`] as const)];
  return [
    ...(jobs.length === 0 ? problem('jobs', 'must contain at least one job') : []),
    ...duplicates(nodes, 'node'),
    ...duplicates(
      edges.map((e, i) => [e.id, `edges[${i}].id`] as const),
      'edge',
    ),
    ...edges.flatMap((e, i) => checkEdge(e, `edges[${i}]`, jobIds, triggerIds)),
    ...(starting_node_id !== undefined && !jobIds.has(starting_node_id) && !triggerIds.has(starting_node_id)
      ? problem('starting_node_id', `${starting_node_id} is not a job or trigger of this plan`)
      : []),
  ];
}

function checkEdge(e: LightningEdge, path: string, jobIds: Set<string>, triggerIds: Set<string>): Problem[] {
  const { source_job_id: sourceJob, source_trigger_id: sourceTrigger, target_job_id: target } = e;
  if ((sourceJob == null) === (sourceTrigger == null)) {
    return problem(path, 'must have exactly one of source_job_id and source_trigger_id');
  }
  return [
    ...(sourceJob != null && !jobIds.has(sourceJob) ? problem(`${path}.source_job_id`, `${sourceJob} is not a job of this plan`) : []),
    ...(sourceTrigger != null && !triggerIds.has(sourceTrigger)
      ? problem(`${path}.source_trigger_id`, `${sourceTrigger} is not a trigger of this plan`)
      : []),
    ...(!jobIds.has(target) ? problem(`${path}.target_job_id`, `${target} is not a job of this plan`) : []),
  ];
}

/** Every later use of an id already seen, by the path of that later use. */
function duplicates(ids: ReadonlyArray<readonly [id: string, path: string]>, kind: 'node' | 'edge'): Problem[] {
  const seen = new Set<string>();
  return ids.flatMap(([id, path]) => {
    if (seen.has(id)) return problem(path, `${id} is already the id of another ${kind}`);
    seen.add(id);
    return [];
  });
}
