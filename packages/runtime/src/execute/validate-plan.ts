import type { ExecutionPlan, Step } from '../plan.js';
import { ValidationError } from './errors.js';

export interface ValidPlan {
  /** Every step by id, in plan order; steps without an id have been given one. */
  steps: Map<string, Step>;
  start: string;
}

/** Checks the shape of a plan before any of it runs, so a broken plan never half-runs. */
export function validatePlan(plan: ExecutionPlan): ValidPlan {
  const list = plan.workflow?.steps ?? [];
  if (list.length === 0) throw new ValidationError('The plan has no steps: a workflow needs at least one step');
  const steps = byId(list);
  const start = plan.options?.start ?? [...steps.keys()][0];
  if (!steps.has(start)) throw new ValidationError(`Could not find start step: ${start}`);
  for (const [id, step] of steps) {
    for (const target of Object.keys(step.next ?? {})) {
      if (!steps.has(target)) {
        throw new ValidationError(`Cannot find step "${target}", the target of an edge from "${id}"`);
      }
    }
  }
  const cycle = findCycle(steps);
  if (cycle) throw new ValidationError(`Circular dependency: ${cycle.join(' -> ')}`);
  return { steps, start };
}

// Steps without an id get `job-1`, `job-2`, ..., skipping ids the plan already uses.
function byId(list: Step[]): Map<string, Step> {
  const taken = new Set(list.map((step) => step.id).filter(Boolean));
  let counter = 0;
  const freshId = (): string => {
    while (taken.has(`job-${++counter}`));
    return `job-${counter}`;
  };
  const steps = new Map<string, Step>();
  for (const step of list) {
    const id = step.id || freshId();
    if (steps.has(id)) throw new ValidationError(`Two steps have the id "${id}": step ids must be unique`);
    steps.set(id, { ...step, id });
  }
  return steps;
}

// Depth-first search over every edge, whatever its condition: a cycle is a plan error
// even when its conditions would stop it today. Returns the cycle's path, e.g. [a, b, a].
function findCycle(steps: Map<string, Step>): string[] | undefined {
  const cleared = new Set<string>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    const seenAt = path.indexOf(id);
    if (seenAt >= 0) return [...path.slice(seenAt), id];
    if (cleared.has(id)) return undefined;
    for (const target of Object.keys(steps.get(id)?.next ?? {})) {
      const cycle = visit(target, [...path, id]);
      if (cycle) return cycle;
    }
    cleared.add(id);
    return undefined;
  };
  for (const id of steps.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}
