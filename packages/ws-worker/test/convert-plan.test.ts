import test from 'ava';
import { InvalidPlanError } from '../src/errors.js';
import { convertPlan } from '../src/util/convert-plan.js';

const ADAPTOR = '@openfn/language-common@1.0.0';

const lightningPlan = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'r1',
  dataclip_id: 'd1',
  starting_node_id: 't',
  triggers: [{ id: 't', type: 'webhook' }],
  jobs: [
    { id: 'a', adaptor: ADAPTOR, body: 'fn(s => s)', credential_id: 'c1' },
    { id: 'b', name: 'second', adaptor: ADAPTOR, body: 'fn(s => s)' },
  ],
  edges: [
    { id: 'e1', source_trigger_id: 't', target_job_id: 'a', condition: 'always' },
    { id: 'e2', source_job_id: 'a', target_job_id: 'b', condition: 'on_job_success' },
  ],
  ...overrides,
});

const problemsOf = (plan: unknown): string[] => {
  const error = (() => {
    try {
      convertPlan(plan);
    } catch (thrown) {
      return thrown;
    }
    return undefined;
  })();
  if (!(error instanceof InvalidPlanError)) throw new Error(`expected an InvalidPlanError for ${JSON.stringify(plan)}`);
  return error.problems;
};

test('triggers then jobs, with next from the edges, the start and the input dataclip', (t) => {
  t.deepEqual(convertPlan(lightningPlan()), {
    plan: {
      id: 'r1',
      options: { start: 't' },
      workflow: {
        steps: [
          { id: 't', next: { a: true } },
          { id: 'a', expression: 'fn(s => s)', adaptors: [ADAPTOR], configuration: 'c1', next: { b: { condition: 'on_job_success' } } },
          { id: 'b', name: 'second', expression: 'fn(s => s)', adaptors: [ADAPTOR] },
        ],
      },
    },
    dataclipId: 'd1',
    options: { outputDataclips: true },
  });
});

test('an edge with no condition or "always" is followed unconditionally; an expression is kept as it is', (t) => {
  const { plan } = convertPlan(
    lightningPlan({
      jobs: [
        { id: 'a', adaptor: ADAPTOR, body: '' },
        { id: 'b', adaptor: ADAPTOR, body: '' },
        { id: 'c', adaptor: ADAPTOR, body: '' },
        { id: 'd', adaptor: ADAPTOR, body: '' },
      ],
      edges: [
        { id: 'e1', source_trigger_id: 't', target_job_id: 'a' },
        { id: 'e2', source_job_id: 'a', target_job_id: 'b', condition: null },
        { id: 'e3', source_job_id: 'a', target_job_id: 'c', condition: 'always' },
        { id: 'e4', source_job_id: 'a', target_job_id: 'd', condition: 'state.data.go === true' },
      ],
    }),
  );
  t.deepEqual(plan.workflow.steps[1]?.next, { b: true, c: true, d: { condition: 'state.data.go === true' } });
});

test('disabled edges are left out, so a step whose edges are all disabled is a leaf', (t) => {
  const { plan } = convertPlan(
    lightningPlan({
      edges: [
        { id: 'e1', source_trigger_id: 't', target_job_id: 'a', enabled: false },
        { id: 'e2', source_job_id: 'a', target_job_id: 'b', enabled: false },
      ],
    }),
  );
  t.false('next' in plan.workflow.steps[0]!);
  t.false('next' in plan.workflow.steps[1]!);
});

test('an inline credential is passed as the configuration; a credential id stays an id', (t) => {
  const { plan } = convertPlan(
    lightningPlan({
      jobs: [
        { id: 'a', adaptor: ADAPTOR, body: '', credential: { user: 'ada' }, credential_id: 'ignored' },
        { id: 'b', adaptor: ADAPTOR, body: '', credential_id: 'c2' },
      ],
    }),
  );
  t.like(plan.workflow.steps[1], { configuration: { user: 'ada' } });
  t.like(plan.workflow.steps[2], { configuration: 'c2' });
});

test('name, globals and a job default state carry over; no start and no dataclip are allowed', (t) => {
  const { plan, dataclipId } = convertPlan({
    id: 'r2',
    name: 'My workflow',
    globals: 'export const x = 1;',
    jobs: [{ id: 'a', adaptor: ADAPTOR, body: 'fn(s => s)', state: { data: { seed: 1 } } }],
  });
  t.deepEqual(plan, {
    id: 'r2',
    workflow: {
      name: 'My workflow',
      globals: 'export const x = 1;',
      steps: [{ id: 'a', expression: 'fn(s => s)', adaptors: [ADAPTOR], state: { data: { seed: 1 } } }],
    },
  });
  t.is(dataclipId, undefined);
});

test('plan options: limits, log level and sanitize for the engine, output dataclips for the worker; others ignored', (t) => {
  const { options } = convertPlan(
    lightningPlan({
      options: {
        run_timeout_ms: 1500,
        run_memory_limit_mb: 256,
        output_dataclips: false,
        payload_limit_mb: 5,
        log_payload_limit_mb: 0.5,
        job_log_level: 'none',
        sanitize: 'obfuscate',
        future_option: true,
      },
    }),
  );
  t.deepEqual(options, {
    runTimeoutMs: 1500,
    memoryLimitMb: 256,
    payloadLimitMb: 5,
    logPayloadLimitMb: 0.5,
    outputDataclips: false,
    jobLogLevel: 'none',
    sanitize: 'obfuscate',
  });
});

// The protocol package checks every field (its plan tests); here: that the worker refuses with all of them.
test('a malformed plan is refused with every problem named', (t) => {
  t.deepEqual(problemsOf('nope'), ['plan must be an object']);
  t.deepEqual(problemsOf({ jobs: [] }), ['id is required', 'jobs must contain at least one job']);
  t.deepEqual(problemsOf(lightningPlan({ starting_node_id: 'missing', options: { output_dataclips: 'no' } })), [
    'options.output_dataclips must be a boolean',
  ]);
  t.deepEqual(problemsOf(lightningPlan({ starting_node_id: 'missing' })), ['starting_node_id missing is not a job or trigger of this plan']);
});

test('with collections on, a job whose code uses collections gets the collections adaptor, once', (t) => {
  const jobs = [
    { id: 'a', adaptor: ADAPTOR, body: "collections.get('tags', 'k');" },
    { id: 'b', adaptor: ADAPTOR, body: 'fn(s => s);' },
    { id: 'c', adaptor: '@openfn/language-collections@0.9.0', body: "collections.set('tags', 'k', 1);" },
  ];
  const collections = { url: 'http://l/collections', version: '1.2.3', token: 'run-token' };
  const on = convertPlan(lightningPlan({ jobs, edges: [], project_id: 'p-1' }), { collections });
  const adaptors = on.plan.workflow.steps.map((step) => (step as { adaptors?: string[] }).adaptors);
  t.deepEqual(adaptors.slice(-3), [[ADAPTOR, '@openfn/language-collections@1.2.3'], [ADAPTOR], ['@openfn/language-collections@0.9.0']]);
  t.deepEqual(on.plan.workflow.credentials, { collections_token: 'run-token', collections_endpoint: 'http://l/collections', project_id: 'p-1' });
  const off = convertPlan(lightningPlan({ jobs, edges: [] }));
  t.deepEqual(off.plan.workflow.steps.map((step) => (step as { adaptors?: string[] }).adaptors).slice(-3), [[ADAPTOR], [ADAPTOR], ['@openfn/language-collections@0.9.0']]);
  t.is(off.plan.workflow.credentials, undefined);
});
