import type { ExecutionPlan } from '../plan.js';
import { compileEdges } from './edge-conditions.js';
import { executeStep, type StepEnvironment } from './execute-step.js';
import { isRecord } from './is-record.js';
import { loadGlobals } from './globals.js';
import { createLog } from './log.js';
import { resolveOptions, type ExecuteOptions } from './options.js';
import { assertVmModules } from './sandbox.js';
import { validatePlan } from './validate-plan.js';

const defaultInput = (): object => ({ data: {}, configuration: {} });

/**
 * Runs a plan whose job steps hold compiled modules, one step at a time in the
 * order they are reached (breadth first from the start step). Resolves to the
 * final state: that of the only leaf, `{ <step key>: state }` for several leaves
 * (empty ones left out), or undefined when no step ended with a state. Rejects with the error of the
 * first step that crashed or was killed.
 */
export async function executePlan(
  plan: ExecutionPlan,
  input: unknown = defaultInput(),
  options: ExecuteOptions = {},
): Promise<unknown> {
  assertVmModules();
  const resolved = resolveOptions(plan, options);
  const { steps, start } = validatePlan(plan);
  const jobLog = createLog(resolved.notify, 'JOB');
  const env: StepEnvironment = {
    options: resolved,
    edges: compileEdges(steps.values(), jobLog),
    globals: plan.workflow.globals ? await loadGlobals(plan.workflow.globals, jobLog, resolved.cacheKey) : {},
    jobLog,
    runtimeLog: createLog(resolved.notify, 'R/T'),
    ...(plan.workflow.credentials ? { credentials: plan.workflow.credentials } : {}),
  };

  const leaves = new Map<string, unknown>();
  const runs = new Map<string, number>();
  const queue = [{ stepId: start, input }];
  for (let item = queue.shift(); item; item = queue.shift()) {
    const { output, next } = await executeStep(steps.get(item.stepId)!, item.input, env);
    const key = resultKey(item.stepId, runs);
    if (output && next.length === 0) leaves.set(key, output);
    for (const target of next) queue.push({ stepId: target, input: output });
  }
  return finalResult(leaves);
}

// A step reached a second and third time is reported as `<id>-1`, `<id>-2`.
function resultKey(stepId: string, runs: Map<string, number>): string {
  const count = runs.get(stepId) ?? 0;
  runs.set(stepId, count + 1);
  return count === 0 ? stepId : `${stepId}-${count}`;
}

// A workflow fed its own final state (a cron workflow, say) would otherwise
// carry every empty branch into the next run, and grow run after run.
function finalResult(leaves: Map<string, unknown>): unknown {
  if (leaves.size === 0) return undefined;
  if (leaves.size === 1) return [...leaves.values()][0];
  return Object.fromEntries([...leaves].filter(([, state]) => !isEmptyState(state)));
}

const isEmptyObject = (value: unknown): boolean => isRecord(value) && Object.keys(value).length === 0;

/** `{}` or `{ data: {} }`: a leaf that produced nothing. */
const isEmptyState = (state: unknown): boolean =>
  isEmptyObject(state) || (isRecord(state) && Object.keys(state).length === 1 && isEmptyObject(state.data));
