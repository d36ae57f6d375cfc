export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export {
  CacheWriteError,
  CorruptAdaptorError,
  IncompleteBuildError,
  InvalidSpecifierError,
  NpmError,
  RepoWriteError,
  VersionNotFoundError,
} from './errors.js';
export type { Specifier, ExactSpecifier, OpenSpecifier } from './specifier.js';
export { parseSpecifier, parseExactSpecifier } from './specifier.js';
export { aliasFor, parseAlias } from './alias.js';
export { resolveVersion } from './resolve-version.js';
export type { NpmRunner, NpmOptions, NpmResult } from './npm.js';
export { runNpm } from './npm.js';
export type { Repo, RepoOptions, InstallOutcome, InstallResult } from './repo.js';
export { openRepo } from './repo.js';
export type { ImportCheck } from './build/import-check.js';
export type { CacheIndex } from './cache/cache-index.js';
export { readIndex, syncIndex } from './cache/cache-index.js';
export { ensureCache } from './cache/ensure-cache.js';
export { isInstalled } from './cache/is-installed.js';
export { adaptorEntry } from './adaptor-entry.js';
export { resolveAdaptor } from './resolve-adaptor.js';
export { cachedAdaptorDir, entryPath } from './layout.js';
export type { RepoEntry } from './shared/entry.js';
export { readEntry } from './shared/entry.js';
export { TARGET_TAKEN_CODES } from './cache/publish-folder.js';
export type { SweepOptions } from './staging.js';
export { sweepStaging } from './staging.js';
export { pidIsAlive } from './util/pid-is-alive.js';
export type { InstallLockOptions, LockEvent } from './lock/repo-lock.js';
export { LockHeldError, withInstallLock } from './lock/repo-lock.js';
export type { LockOwner, LockPurpose } from './lock/lock-owner.js';
export { describeOwner as describeLockOwner } from './lock/lock-owner.js';
export type { CheckRepoOptions, CheckResult, RepoCheck } from './check/check-repo.js';
export { checkRepo } from './check/check-repo.js';
export type { AdaptorStatus, LockStatus, RepoStatus, StagedStatus } from './status.js';
export { repoStatus } from './status.js';
export type { PruneOptions, PruneResult } from './prune.js';
export { prune } from './prune.js';
