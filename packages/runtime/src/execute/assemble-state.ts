import type { JobStep } from '../plan.js';
import { CredentialError, messageOf } from './errors.js';
import { isRecord, recordOrEmpty } from './is-record.js';

/**
 * A step's configuration: as written in the plan, or, when the plan names a
 * credential by id, loaded through the resolver.
 */
export async function stepConfiguration(
  step: JobStep,
  resolveCredential?: (id: string) => Promise<object>,
): Promise<unknown> {
  const { configuration } = step;
  if (typeof configuration !== 'string') return configuration;
  if (!resolveCredential) {
    throw new CredentialError(step.id, configuration, 'the runtime was given no credential resolver');
  }
  try {
    return await resolveCredential(configuration);
  } catch (error) {
    throw new CredentialError(step.id, configuration, messageOf(error));
  }
}

/**
 * The state a step's job code starts from: the incoming state over the step's
 * default state, with the configurations merged (the workflow's, under the
 * incoming one, under the step's own) and `data`
 * merged when both are objects. It shares objects with its inputs: the deep copy
 * job code works on is made once, inside the job's context (realm.ts), so that a
 * mutation cannot touch what another branch of the plan sees.
 * A default `state` given as a string is not resolved here: the engine resolves
 * it before the plan reaches the runtime.
 */
export function assembleState(incoming: unknown, defaults: unknown, configuration: unknown, workflowCredentials?: Record<string, unknown>): Record<string, unknown> {
  const input = recordOrEmpty(incoming);
  const base = recordOrEmpty(defaults);
  return {
    ...base,
    ...input,
    configuration: { ...recordOrEmpty(workflowCredentials), ...recordOrEmpty(input.configuration), ...recordOrEmpty(configuration) },
    data: mergeData(base.data, input.data),
  };
}

// Incoming data that is an array or a primitive replaces the default outright.
function mergeData(defaults: unknown, incoming: unknown): unknown {
  if (incoming !== undefined && !isRecord(incoming)) return incoming;
  if (!isRecord(defaults)) return incoming ?? defaults ?? {};
  return { ...defaults, ...incoming };
}
