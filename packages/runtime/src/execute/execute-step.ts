import { isJobStep, type JobStep, type Step } from '../plan.js';
import { assembleState, stepConfiguration } from './assemble-state.js';
import { adaptorRoots, classifyError } from './classify-error.js';
import { jobPosition } from './job-position.js';
import { cleanState } from './clean-state.js';
import { followedTargets, type Edges } from './edge-conditions.js';
import { carryErrors, recordError } from './error-state.js';
import { serializeError, type ExecutionError } from './errors.js';
import type { Log } from './log.js';
import type { Progress } from './operations.js';
import type { ResolvedOptions } from './options.js';
import { runJob } from './run-job.js';

/** Everything a step needs from the plan it belongs to. */
export interface StepEnvironment {
  options: ResolvedOptions;
  edges: Edges;
  globals: Record<string, unknown>;
  jobLog: Log;
  runtimeLog: Log;
  /** The workflow's credentials, under every step's configuration. */
  credentials?: Record<string, unknown>;
}

export interface StepResult {
  /** The cleaned state passed to every followed target. */
  output: unknown;
  /** Ids of the steps to run next, in edge order. */
  next: string[];
}

/**
 * Runs one step and decides where the plan goes next. Resolves for a success
 * and for an error of severity `fail`; rejects with the error for `crash` and
 * `kill`, after reporting it.
 */
export async function executeStep(step: Step, input: unknown, env: StepEnvironment): Promise<StepResult> {
  // A trigger (or a job with nothing to run) passes its input straight on, silently.
  if (!isJobStep(step) || !step.expression) return { output: input, next: nextSteps(step.id, input, env) };
  return executeJob(step, input, env);
}

async function executeJob(step: JobStep, input: unknown, env: StepEnvironment): Promise<StepResult> {
  const { notify, statePropsToRemove, stateLimitMb } = env.options;
  const started = performance.now();
  // Told before job-start, as the reference runtime does: a reader of the run's log sees each step begin.
  env.runtimeLog.info(`Starting step ${stepName(step)}`);
  notify({ type: 'job-start', jobId: step.id });
  const progress: Progress = { state: input };
  let output: unknown;
  let next: string[];
  try {
    const configuration = await stepConfiguration(step, env.options.resolveCredential);
    progress.state = assembleState(input, step.state, configuration, env.credentials);
    const raw = await runJob(step, progress, {
      jobLog: env.jobLog,
      runtimeLog: env.runtimeLog,
      globals: env.globals,
      whitelist: env.options.whitelist,
      cacheKey: env.options.cacheKey,
    });
    output = cleanState(carryErrors(raw, input), statePropsToRemove, stateLimitMb);
    next = nextSteps(step.id, output, env);
  } catch (thrown) {
    const error = classifyError(thrown, await adaptorRoots(step.linker));
    error.pos ??= jobPosition(thrown, step);
    return failJob(step, error, progress.state, input, started, env);
  }
  if (output === undefined && next.length > 0) {
    env.runtimeLog.warn(`Step "${step.id}" returned no state, so the steps after it start from an empty state`);
  }
  const duration = since(started);
  const mem = memory();
  reportEnd(step, 'completed', duration, mem, env.runtimeLog);
  notify({ type: 'job-complete', jobId: step.id, state: output, duration, next, mem });
  return { output, next };
}

const stepName = (step: JobStep): string => step.name ?? step.id;

const MB = 1024 * 1024;

/** The step's end in the run's log: how long it took, and the process's memory after it. */
function reportEnd(step: JobStep, how: 'completed' | 'failed', durationMs: number, { job, system }: { job: number; system: number }, log: StepEnvironment['runtimeLog']): void {
  log.info(`${stepName(step)} ${how} in ${(durationMs / 1000).toFixed(3)}s`);
  log.info(`Memory after ${stepName(step)}: ${Math.round(job / MB)} MB of heap in use, ${Math.round(system / MB)} MB resident`);
}

/**
 * Reports a failed job with the state it had reached. For `fail` that state,
 * carrying the error, moves on along the edges whose conditions hold; the plan
 * stops for `crash` and `kill`, or when the failed state itself is too large or
 * an edge condition throws.
 */
function failJob(
  step: JobStep,
  firstError: ExecutionError,
  reached: unknown,
  input: unknown,
  started: number,
  env: StepEnvironment,
): StepResult {
  const { notify, statePropsToRemove, stateLimitMb } = env.options;
  let error = firstError;
  let output: unknown;
  let next: string[] = [];
  try {
    if (error.severity === 'fail') {
      output = cleanState(recordError(reached, input, step.id, error), statePropsToRemove, stateLimitMb);
      next = nextSteps(step.id, output, env);
    } else {
      // Only reported, never passed on: the limit would hide the real error behind a size error.
      output = cleanState(reached, statePropsToRemove);
    }
  } catch (thrown) {
    error = classifyError(thrown, []);
  }
  const duration = since(started);
  reportEnd(step, 'failed', duration, memory(), env.runtimeLog);
  notify({ type: 'job-error', jobId: step.id, state: output, error: serializeError(error), duration, next });
  if (error.severity !== 'fail') throw error;
  return { output, next };
}

const nextSteps = (stepId: string, state: unknown, env: StepEnvironment): string[] =>
  followedTargets(env.edges.get(stepId) ?? [], state, stepId);

const since = (started: number): number => performance.now() - started;

function memory(): { job: number; system: number } {
  const { heapUsed, rss } = process.memoryUsage();
  return { job: heapUsed, system: rss };
}
