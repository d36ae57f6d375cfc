import { isJobStep, type ExecutionPlan } from '@fleet/runtime';

/** Every adaptor version a linked plan uses, by package name (reported with workflow-start). */
export function adaptorVersions(plan: ExecutionPlan): Record<string, string[]> {
  const versions: Record<string, Set<string>> = {};
  for (const step of plan.workflow.steps.filter(isJobStep)) {
    for (const [name, { version }] of Object.entries(step.linker ?? {})) (versions[name] ??= new Set()).add(version);
  }
  return Object.fromEntries(Object.entries(versions).map(([name, set]) => [name, [...set].sort()]));
}
