// The runtime execution plan (REFERENCE §2.3): what the engine runs and the runtime executes.

/** Where a step's adaptor was installed, for the module linker. */
export interface LinkerEntry {
  path: string;
  version: string;
}

export type EdgeCondition = boolean | string | { condition?: string; label?: string; disabled?: boolean };

export interface JobStep {
  id: string;
  name?: string;
  expression: string;
  adaptors?: string[];
  configuration?: unknown;
  state?: unknown;
  next?: Record<string, EdgeCondition>;
  /** Written by autoinstall: adaptor package name → where it is installed. */
  linker?: Record<string, LinkerEntry>;
  /** Written by the compiler: maps the compiled `expression` back to the job's source. */
  sourceMap?: object;
}

export interface TriggerStep {
  id: string;
  next?: Record<string, EdgeCondition>;
}

export type Step = JobStep | TriggerStep;

/** The runtime execution plan (REFERENCE §2.3); its `id` is the run id. */
export interface ExecutionPlan {
  id: string;
  options?: { start?: string };
  workflow: {
    name?: string;
    globals?: string;
    /** Configuration every step gets under its own (the collections token and endpoint, say). */
    credentials?: Record<string, unknown>;
    steps: Step[];
  };
}

export const isJobStep = (step: Step): step is JobStep => typeof (step as JobStep).expression === 'string';
