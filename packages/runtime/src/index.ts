export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { InvalidSpecifierError, NpmError, VersionNotFoundError, CorruptAdaptorError } from './repo/errors.js';
export type { Specifier, ExactSpecifier, OpenSpecifier } from './repo/specifier.js';
export { parseSpecifier, parseExactSpecifier } from './repo/specifier.js';
export { aliasFor, parseAlias } from './repo/alias.js';
export { resolveVersion } from './repo/resolve-version.js';
export type { NpmRunner, NpmOptions, NpmResult } from './repo/npm.js';
export { runNpm } from './repo/npm.js';
export type { RepoIndex } from './repo/repo-index.js';
export { readIndex, syncIndex } from './repo/repo-index.js';
export { ensureRepo } from './repo/ensure-repo.js';
export { isInstalled } from './repo/is-installed.js';
export type { InstallOptions, InstallOutcome, InstallResult } from './repo/install.js';
export { install } from './repo/install.js';
export { adaptorEntry, resolveAdaptor } from './repo/resolve-adaptor.js';
export { adaptorDir } from './repo/layout.js';
export { TARGET_TAKEN_CODES } from './repo/publish.js';
export type { SweepOptions } from './repo/staging.js';
export { sweepStaging } from './repo/staging.js';
export { pidIsAlive } from './util/pid-is-alive.js';
export type { ExecutionPlan, Step, JobStep, TriggerStep, EdgeCondition, LinkerEntry } from './plan.js';
export { isJobStep } from './plan.js';
export type { CompileOptions, CompiledJob, AdaptorExports, OperationInfo } from './compile/compile.js';
export { compile, CompileError } from './compile/compile.js';
export type { CompilePlanOptions, LoadExports } from './compile/compile-plan.js';
export { compilePlan } from './compile/compile-plan.js';
export type { ExecuteOptions } from './execute/options.js';
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
