// Valid plans as Lightning sends them, for the tests of anything that speaks
// the protocol: override fields to break one. They carry no id, so that a
// mock may give each its own.

/** A trigger and two jobs, a → b on success; job a uses credential c1. */
export const twoJobPlan = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  starting_node_id: 't',
  triggers: [{ id: 't', type: 'webhook' }],
  jobs: [
    { id: 'a', name: 'first', adaptor: '@openfn/language-common@1.0.0', body: 'fn(s => s)', credential_id: 'c1' },
    { id: 'b', adaptor: '@openfn/language-common@1.0.0', body: 'fn(s => ({ ...s, done: true }))' },
  ],
  edges: [
    { id: 'e1', source_trigger_id: 't', target_job_id: 'a', condition: 'always' },
    { id: 'e2', source_job_id: 'a', target_job_id: 'b', condition: 'on_job_success' },
  ],
  ...overrides,
});

/** The smallest valid plan: one job. */
export const oneJobPlan = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  jobs: [{ id: 'only', adaptor: '@openfn/language-common@1.0.0', body: 'fn(s => s)' }],
  ...overrides,
});
