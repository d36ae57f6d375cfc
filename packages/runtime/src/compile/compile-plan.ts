import { isJobStep, type ExecutionPlan, type JobStep, type Step } from '../plan.js';
import { parseSpecifier } from '@fleet/repo';
import type { AdaptorExports } from './add-imports.js';
import { compile } from './compile.js';

/** Reads the names an adaptor exports; the engine does it by importing the adaptor from `step.linker[name].path`. */
export type LoadExports = (name: string, step: JobStep) => Promise<string[]>;

export interface CompilePlanOptions {
  loadExports: LoadExports;
}

/**
 * A copy of the plan in which every job step's expression is compiled to a
 * module, with its source map beside it. Steps are compiled one after another,
 * so that the first broken step in plan order is the one reported.
 */
export async function compilePlan(plan: ExecutionPlan, { loadExports }: CompilePlanOptions): Promise<ExecutionPlan> {
  const steps: Step[] = [];
  for (const step of plan.workflow.steps) {
    steps.push(isJobStep(step) ? await compileStep(step, loadExports) : step);
  }
  return { ...plan, workflow: { ...plan.workflow, steps } };
}

async function compileStep(step: JobStep, loadExports: LoadExports): Promise<JobStep> {
  const adaptors: AdaptorExports[] = [];
  for (const specifier of step.adaptors ?? []) {
    const { name } = parseSpecifier(specifier);
    adaptors.push({ name, exports: await loadExports(name, step) });
  }
  const { code, map } = compile(step.expression, { stepId: step.id, adaptors });
  return { ...step, expression: code, sourceMap: map };
}
