import { silentLogger, type ExecutionPlan, type Logger } from '@fleet/runtime';
import { createAutoinstall, type AutoinstallContext } from './api/autoinstall.js';
import type { InstallLockOptions } from './util/repo-lock.js';

export interface EngineOptions {
  /** The adaptor repo directory, possibly shared by a whole fleet. */
  repoDir: string;
  /** Adaptor package names plans may use. Default: the `@openfn/` scope. */
  whitelist?: RegExp[];
  logger?: Logger;
  autoinstall?: {
    /** Take the cross-worker install lock around each install. Default true. */
    lockRepo?: boolean;
    concurrency?: number;
    versionCacheMs?: number;
    lock?: InstallLockOptions;
  };
}

export interface InstallAdaptorsOptions {
  logger?: Logger;
  /** Receives this run's `autoinstall-complete` and `autoinstall-error` events. */
  emit?: AutoinstallContext['emit'];
}

export const DEFAULT_WHITELIST = [/^@openfn\//];

export function createEngine(options: EngineOptions) {
  if (typeof options.repoDir !== 'string' || options.repoDir === '') {
    throw new TypeError('createEngine needs a repoDir (the adaptor repo directory)');
  }
  const { repoDir, whitelist = DEFAULT_WHITELIST, logger = silentLogger } = options;
  const { lockRepo = true, lock, ...queueOptions } = options.autoinstall ?? {};
  const autoinstall = createAutoinstall({ whitelist, ...queueOptions, ...(lock ? { lock } : {}) });

  return {
    options: { repoDir, whitelist, lockRepo },
    /** Makes sure every adaptor of the plan is installed; resolves to the plan with linker paths. */
    installAdaptors: (plan: ExecutionPlan, run: InstallAdaptorsOptions = {}): Promise<ExecutionPlan> =>
      autoinstall({
        plan,
        context: { emit: run.emit ?? (() => undefined) },
        repoDir,
        logger: run.logger ?? logger,
        useLock: lockRepo,
      }),
  };
}

export type Engine = ReturnType<typeof createEngine>;
