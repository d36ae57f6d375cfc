import test from 'ava';
import { InvalidPlanError } from '../src/errors.js';
import { validatePlan } from '../src/validate-plan.js';
import { oneJobPlan, twoJobPlan } from './helpers/plans.js';

const problemsOf = (plan: unknown): string[] => {
  try {
    validatePlan(plan);
  } catch (error) {
    if (error instanceof InvalidPlanError) return error.problems;
    throw error;
  }
  return [];
};

test('a full Lightning plan passes unchanged', (t) => {
  const plan = twoJobPlan({ id: 'r1', dataclip_id: 'd1', options: { run_timeout_ms: 1000 }, project_id: 'p1' });
  t.deepEqual(validatePlan(plan), plan);
});

test('missing triggers and edges default to empty lists', (t) => {
  t.like(validatePlan(oneJobPlan()), { triggers: [], edges: [] });
});

test('unknown keys are passed through to the worker', (t) => {
  const plan = oneJobPlan({ future_field: 1 });
  t.is((validatePlan(plan) as unknown as Record<string, unknown>).future_field, 1);
});

const malformed: Array<[string, unknown, string[]]> = [
  ['not an object', 'plan', ['payload must be an object']],
  ['no jobs', { triggers: [] }, ['jobs is required']],
  ['empty jobs', { jobs: [] }, ['jobs must contain at least one job']],
  [
    'a job without adaptor and a numeric body',
    { jobs: [{ id: 'a', body: 1 }] },
    ['jobs[0].adaptor is required', 'jobs[0].body must be a string'],
  ],
  ['a job without id', { jobs: [{ adaptor: 'x@1.0.0', body: '' }] }, ['jobs[0].id is required']],
  [
    'an edge to a missing job',
    twoJobPlan({ edges: [{ id: 'e1', source_trigger_id: 't', target_job_id: 'zzz' }] }),
    ['edges[0].target_job_id zzz is not a job of this plan'],
  ],
  [
    'an edge from a missing job',
    twoJobPlan({ edges: [{ id: 'e1', source_job_id: 'nope', target_job_id: 'b' }] }),
    ['edges[0].source_job_id nope is not a job of this plan'],
  ],
  [
    'an edge with two sources',
    twoJobPlan({ edges: [{ id: 'e1', source_job_id: 'a', source_trigger_id: 't', target_job_id: 'b' }] }),
    ['edges[0] must have exactly one of source_job_id and source_trigger_id'],
  ],
  [
    'an edge with no source',
    twoJobPlan({ edges: [{ id: 'e1', target_job_id: 'b' }] }),
    ['edges[0] must have exactly one of source_job_id and source_trigger_id'],
  ],
  [
    'a job id reused by a trigger',
    oneJobPlan({ triggers: [{ id: 'only' }] }),
    ['jobs[0].id only is already the id of another node'],
  ],
  [
    'two edges with one id',
    twoJobPlan({
      edges: [
        { id: 'e', source_trigger_id: 't', target_job_id: 'a' },
        { id: 'e', source_job_id: 'a', target_job_id: 'b' },
      ],
    }),
    ['edges[1].id e is already the id of another edge'],
  ],
  ['an unknown start node', twoJobPlan({ starting_node_id: 'x' }), ['starting_node_id x is not a job or trigger of this plan']],
  ['an enabled flag that is a string', twoJobPlan({ edges: [{ id: 'e', source_trigger_id: 't', target_job_id: 'a', enabled: 'yes' }] }), ['edges[0].enabled must be a boolean']],
  ['options that are a list', oneJobPlan({ options: [] }), ['options must be an object']],
];

for (const [name, plan, expected] of malformed) {
  test(`a plan with ${name} is rejected naming the field`, (t) => {
    t.deepEqual(problemsOf(plan), expected);
  });
}

test('the error message lists every problem', (t) => {
  const error = t.throws(() => validatePlan({ jobs: [{ id: 'a' }] }), { instanceOf: InvalidPlanError });
  t.is(error?.message, 'Invalid plan: jobs[0].adaptor is required; jobs[0].body is required');
});
