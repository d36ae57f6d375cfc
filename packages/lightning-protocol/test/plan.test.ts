import test from 'ava';
import { checkPlan, describeProblem } from '../src/index.js';
import { oneJobPlan as oneJob, twoJobPlan as twoJob } from '../src/fixtures.js';

const oneJobPlan = (overrides: Record<string, unknown> = {}) => oneJob({ id: 'r1', ...overrides });
const twoJobPlan = (overrides: Record<string, unknown> = {}) => twoJob({ id: 'r1', ...overrides });

const problemsOf = (plan: unknown): string[] => {
  const checked = checkPlan(plan);
  return checked.ok ? [] : checked.problems.map(describeProblem);
};

const valid = (plan: unknown): unknown => {
  const checked = checkPlan(plan);
  if (!checked.ok) throw new Error(checked.problems.map(describeProblem).join('; '));
  return checked.value;
};

test('a full Lightning plan passes unchanged', (t) => {
  const plan = twoJobPlan({ id: 'r1', dataclip_id: 'd1', options: { run_timeout_ms: 1000 }, project_id: 'p1' });
  t.deepEqual(valid(plan), plan);
});

test('a plan without triggers or edges passes', (t) => {
  t.deepEqual(problemsOf(oneJobPlan()), []);
});

test('unknown keys are passed through to the worker', (t) => {
  const plan = oneJobPlan({ future_field: 1 });
  t.is((valid(plan) as Record<string, unknown>).future_field, 1);
});

const malformed: Array<[string, unknown, string[]]> = [
  ['not an object', 'plan', ['plan must be an object']],
  ['no id', { jobs: oneJobPlan().jobs }, ['id is required']],
  ['no jobs', { id: 'r1', triggers: [] }, ['jobs is required']],
  ['empty jobs', { id: 'r1', jobs: [] }, ['jobs must contain at least one job']],
  ['a null job', { id: 'r1', jobs: [null] }, ['jobs[0] must be an object']],
  [
    'a job without adaptor and a numeric body',
    { id: 'r1', jobs: [{ id: 'a', body: 1 }] },
    ['jobs[0].adaptor is required', 'jobs[0].body must be a string'],
  ],
  ['a job without id', { id: 'r1', jobs: [{ adaptor: 'x@1.0.0', body: '' }] }, ['jobs[0].id is required']],
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
  ['a negative payload limit', oneJobPlan({ options: { payload_limit_mb: -1 } }), ['options.payload_limit_mb must be a number of megabytes, 0 or more']],
  ['an unknown job log level', oneJobPlan({ options: { job_log_level: 'loud' } }), ['options.job_log_level must be one of debug, info, warn, error, none']],
  ['an unknown sanitize policy', oneJobPlan({ options: { sanitize: 'all' } }), ['options.sanitize must be one of none, remove, summarize, obfuscate']],
  ['a run timeout below 1', oneJobPlan({ options: { run_timeout_ms: 0 } }), ['options.run_timeout_ms must be a number of at least 1']],
];

for (const [name, plan, expected] of malformed) {
  test(`a plan with ${name} is rejected naming the field`, (t) => {
    t.deepEqual(problemsOf(plan), expected);
  });
}

test('every problem is listed, not only the first', (t) => {
  t.deepEqual(problemsOf({ jobs: [{ id: 'a' }] }), ['id is required', 'jobs[0].adaptor is required', 'jobs[0].body is required']);
});
