import { randomUUID } from 'node:crypto';
import type { ExecutionPlan } from '@fleet/engine-multi';
import type { ExitReason } from '@fleet/lightning-protocol';
import { runExitReason } from './exit-reason.js';

export interface ActiveStep {
  jobId: string;
  stepId: string;
}

interface CompletedStep {
  jobId: string;
  next: string[];
  reason: ExitReason;
  /** Undefined when the output was withheld: Lightning never stored it. */
  outputDataclipId: string | undefined;
}

/**
 * What the worker tracks about one run while it executes: the step running now,
 * and which dataclip feeds which step. Lightning links steps through dataclip
 * ids: a step's input is the run's dataclip (first steps) or the output of the
 * step before it, and the worker makes up each output's id.
 */
export class RunState {
  private active: ActiveStep | undefined;
  private readonly inputs = new Map<string, string>();
  private readonly completed: CompletedStep[] = [];

  constructor(plan: ExecutionPlan, inputDataclipId: string | undefined) {
    if (inputDataclipId) for (const jobId of firstJobs(plan)) this.inputs.set(jobId, inputDataclipId);
  }

  get activeStep(): ActiveStep | undefined {
    return this.active;
  }

  startStep(jobId: string): { stepId: string; inputDataclipId: string | undefined } {
    this.active = { jobId, stepId: randomUUID() };
    return { stepId: this.active.stepId, inputDataclipId: this.inputs.get(jobId) };
  }

  /**
   * Ends the active step (the engine runs one at a time) and hands its output
   * dataclip to the steps it leads to: a withheld output (no id) feeds them
   * nothing Lightning knows. Undefined when no step is active.
   */
  completeStep(next: string[], reason: ExitReason, outputDataclipId: string | undefined): ActiveStep | undefined {
    const step = this.active;
    if (!step) return undefined;
    this.active = undefined;
    for (const target of next) {
      if (outputDataclipId) this.inputs.set(target, outputDataclipId);
      else this.inputs.delete(target);
    }
    this.completed.push({ jobId: step.jobId, next, reason, outputDataclipId });
    return step;
  }

  /** How the run ended, judged by its leaves. */
  runReason(): ExitReason {
    return runExitReason(this.leaves().map((step) => step.reason));
  }

  /** The output of the run's only leaf; undefined when several branches ended, or it was withheld. */
  finalDataclipId(): string | undefined {
    const leaves = this.completed.filter((step) => step.next.length === 0);
    return leaves.length === 1 ? leaves[0]?.outputDataclipId : undefined;
  }

  // A leaf: a step after which nothing ran.
  private leaves(): CompletedStep[] {
    const ran = new Set(this.completed.map((step) => step.jobId));
    return this.completed.filter((step) => !step.next.some((target) => ran.has(target)));
  }
}

/**
 * The steps the input dataclip feeds: the start step, or, when the start is a
 * trigger (it has no code), every step the trigger leads to. A trigger with no
 * edges feeds nothing.
 */
function firstJobs(plan: ExecutionPlan): string[] {
  const steps = plan.workflow.steps;
  const startId = plan.options?.start ?? steps[0]?.id;
  const start = steps.find((step) => step.id === startId);
  if (!start) return [];
  return 'expression' in start ? [start.id] : Object.keys(start.next ?? {});
}
