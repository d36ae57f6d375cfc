import { isJobStep, type ExecutionPlan } from '@fleet/runtime';
import { CredentialLoadError } from '../errors.js';

export type CredentialResolver = (id: string) => Promise<unknown>;

/**
 * Replaces every step's credential id with the credential itself, fetched in the
 * engine (all at once) so job code never gets a way to ask for other credentials.
 */
export async function preloadCredentials(plan: ExecutionPlan, resolve?: CredentialResolver): Promise<ExecutionPlan> {
  const steps = await Promise.all(
    plan.workflow.steps.map(async (step) => {
      if (!isJobStep(step) || typeof step.configuration !== 'string') return step;
      const id = step.configuration;
      if (!resolve) throw new CredentialLoadError(id, 'no credential resolver was given to execute()');
      const configuration = await resolve(id).catch((error: Error) => {
        throw new CredentialLoadError(id, error.message);
      });
      return { ...step, configuration };
    }),
  );
  return { ...plan, workflow: { ...plan.workflow, steps } };
}
