export type { Logger } from '@fleet/repo';
export { silentLogger } from '@fleet/repo';
export type { ExecutionPlan, Step, JobStep, TriggerStep, EdgeCondition, LinkerEntry } from './plan.js';
export { isJobStep } from './plan.js';
export type { CompileOptions, CompiledJob, AdaptorExports, OperationInfo } from './compile/compile.js';
export { compile, CompileError } from './compile/compile.js';
export type { CompilePlanOptions, LoadExports } from './compile/compile-plan.js';
export { compilePlan } from './compile/compile-plan.js';
export type { ExecuteOptions } from './execute/options.js';
export { DEFAULT_STATE_PROPS_TO_REMOVE } from './execute/options.js';
export type { RuntimeEvent, LogLevel, LogSource } from './execute/events.js';
export { executePlan } from './execute/execute-plan.js';
export type { Severity, SerializedError } from './execute/errors.js';
export {
  ExecutionError,
  ValidationError,
  CredentialError,
  ImportError,
  EdgeConditionError,
  RuntimeError,
  RuntimeCrash,
  JobError,
  AdaptorError,
  SecurityError,
  StateTooLargeError,
  serializeError,
} from './execute/errors.js';
export { defer } from './execute/defer.js';
