// The runtime without its compiler, for run processes: they execute plans that
// were compiled before they reached them, and each module loaded here is paid
// for again by every run's fresh process.
export type { ExecuteOptions } from './execute/options.js';
export type { RuntimeEvent, LogLevel, LogSource } from './execute/events.js';
export { executePlan } from './execute/execute-plan.js';
export { moduleExports } from './execute/linker.js';
export type { Severity, SerializedError } from './execute/errors.js';
export type { ExecutionPlan, JobStep, LinkerEntry } from './plan.js';
