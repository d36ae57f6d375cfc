let counter = 0;

/** A Lightning plan (as `fetch:plan` returns it) with a webhook trigger and one job per entry, chained on success. */
export function lightningPlan(jobs: Array<{ adaptor: string; body: string }>): Record<string, unknown> {
  counter += 1;
  const ids = jobs.map((_, i) => `job-${counter}-${i + 1}`);
  return {
    starting_node_id: 'trigger',
    triggers: [{ id: 'trigger', type: 'webhook' }],
    jobs: jobs.map((job, i) => ({ id: ids[i], adaptor: job.adaptor, body: job.body })),
    edges: ids.map((id, i) =>
      i === 0
        ? { id: `edge-${id}`, source_trigger_id: 'trigger', target_job_id: id, condition: 'always' }
        : { id: `edge-${id}`, source_job_id: ids[i - 1], target_job_id: id, condition: 'on_job_success' },
    ),
  };
}
