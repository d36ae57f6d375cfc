import vm from 'node:vm';
import type { JobStep } from '../plan.js';
import { createLinker, refuseDynamicImport } from './linker.js';
import type { Log } from './log.js';
import { runOperations, type Progress } from './operations.js';
import { createSandbox } from './sandbox.js';

export interface JobEnvironment {
  jobLog: Log;
  runtimeLog: Log;
  globals: Record<string, unknown>;
  whitelist?: RegExp[];
  cacheKey: string;
}

/**
 * Evaluates a step's compiled module in a fresh sandbox and runs its operations
 * on `progress.state`. Resolves to the step's raw output; throws whatever the job
 * module or its operations threw.
 */
export async function runJob(step: JobStep, progress: Progress, env: JobEnvironment): Promise<unknown> {
  const context = createSandbox({ state: progress.state, console: env.jobLog, globals: env.globals });
  // The operations start from the context's own copy, the one job code sees as `state`.
  progress.state = (context as { state: unknown }).state;
  const module = new vm.SourceTextModule(step.expression, {
    identifier: `${step.id}.js`,
    context,
    importModuleDynamically: refuseDynamicImport,
  });
  await module.link(
    createLinker({
      owner: `step "${step.id}"`,
      adaptors: step.linker ?? {},
      whitelist: env.whitelist,
      cacheKey: env.cacheKey,
      context,
    }),
  );
  await module.evaluate();
  return runOperations(module.namespace as Record<string, unknown>, progress, env.runtimeLog.warn);
}
