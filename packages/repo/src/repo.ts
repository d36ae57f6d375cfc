import { rm } from 'node:fs/promises';
import os from 'node:os';
import pLimit from 'p-limit';
import { aliasFor } from './alias.js';
import { packFolder } from './archive/pack.js';
import { summarizeFolder } from './archive/tree-digest.js';
import { buildAdaptor } from './build/build.js';
import { importInChildProcess, type ImportCheck } from './build/import-check.js';
import { addToCache, removeFromCache } from './cache/add-to-cache.js';
import { evict } from './cache/evict.js';
import { isInstalled } from './cache/is-installed.js';
import { checkCachedCopy, touchRecord, writeRecord } from './cache/local-record.js';
import { cachedAdaptorDir, cacheStagingDir, repoStagingDir } from './layout.js';
import { withInstallLock, type InstallLockOptions } from './lock/repo-lock.js';
import { silentLogger, type Logger } from './logger.js';
import { materialize } from './materialize.js';
import { runNpm, type NpmRunner } from './npm.js';
import { resolveVersion } from './resolve-version.js';
import { touchEntry } from './shared/entry.js';
import { publishArchive } from './shared/publish-archive.js';
import { sweepStaging } from './staging.js';

export interface RepoOptions {
  /** The shared repo: archives and their index, possibly on a network filesystem, for the whole fleet. */
  repoDir: string;
  /** This host's local cache: adaptors are built, extracted and imported here, on local disk. */
  cacheDir: string;
  logger?: Logger;
  /** Recorded as the installer in index entries and as the holder of locks. */
  workerId?: string;
  /** Take the cross-worker install lock around a build. Default true. */
  lockRepo?: boolean;
  lockOptions?: Omit<InstallLockOptions, 'workerId' | 'purpose' | 'wait'>;
  /** Run the packages' install scripts when building. Default false. */
  installScripts?: boolean;
  /** How many different adaptors this process materializes or builds at once. Default 2. */
  concurrency?: number;
  /** Evict the least recently used adaptors once the local cache holds more than this. Default: unbounded. */
  cacheMaxBytes?: number;
  npm?: NpmRunner;
  importCheck?: ImportCheck;
}

/**
 * - `installed`: this process built it with npm and published its archive;
 * - `lost-race`: it built it, but another worker published first (the local copy is this build);
 * - `materialized`: extracted from the shared repo's archive, no npm;
 * - `already-installed`: found in the local cache (another process of this host put it there).
 */
export type InstallOutcome = 'installed' | 'lost-race' | 'materialized' | 'already-installed';

export interface InstallResult {
  name: string;
  version: string;
  alias: string;
  /** The adaptor's folder in the local cache. */
  path: string;
  outcome: InstallOutcome;
}

export interface Repo {
  readonly repoDir: string;
  readonly cacheDir: string;
  /**
   * The fast path: the adaptor is in the local cache and this process has
   * checked that copy (the first time, by reading it whole). No lock, no
   * shared repo, no npm.
   */
  isReady(alias: string): Promise<boolean>;
  /** Makes one adaptor version ready in the local cache, materializing or building it as needed. */
  ensure(specifier: string, options?: { logger?: Logger }): Promise<InstallResult>;
  /** Where the adaptor of `alias` is in the local cache. */
  adaptorPath(alias: string): string;
  /** Marks adaptors as used by a run until the returned function is called: eviction leaves them alone. */
  retain(aliases: readonly string[]): () => void;
  /** Removes what interrupted attempts left in the shared repo's staging folder and the cache's, older than `olderThanMs`. */
  sweep(olderThanMs: number): Promise<string[]>;
  /** Stops the timer that keeps retained adaptors marked as in use, and waits for an eviction under way. */
  close(): Promise<void>;
}

// A use is recorded in the shared repo (the entry's mtime, which prune reads) at
// most this often per adaptor and process: not a network write on every run.
const SHARED_USE_STAMP_MS = 60 * 60_000;
// ...and in the local cache (for eviction) this often, also for adaptors runs hold.
const LOCAL_USE_STAMP_MS = 60_000;
// What another process of this host used this lately may be in use by one of its runs.
const RECENT_USE_MS = 5 * LOCAL_USE_STAMP_MS;

/**
 * Opens a fleet's repo for one process. Nothing is read until an adaptor is asked for.
 *
 * An adaptor is ready when it is in the local cache. If not, and the shared repo
 * has its archive, it is materialized from there without any lock. Only when the
 * archive is missing (or unusable) does the process take the adaptor's install
 * lock, look again, and build it: npm in a local stage, the build verified, then
 * packed, published to the shared repo and moved into the local cache.
 */
export function openRepo(options: RepoOptions): Repo {
  const { repoDir, cacheDir, workerId, installScripts = false, npm = runNpm, importCheck = importInChildProcess } = options;
  const lockOptions: InstallLockOptions = { ...options.lockOptions, ...(workerId ? { workerId } : {}) };
  const defaultLogger = options.logger ?? silentLogger;
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const limit = pLimit(concurrency);
  const inFlight = new Map<string, Promise<InstallOutcome>>();
  const checked = new Map<string, Promise<boolean>>();
  const stamped = { shared: new Map<string, number>(), local: new Map<string, number>() };
  const retained = new Map<string, number>();
  let retainTimer: NodeJS.Timeout | undefined;
  let evicting: Promise<void> | undefined;

  const adaptorPath = (alias: string): string => cachedAdaptorDir(cacheDir, alias);

  const stampDue = (which: Map<string, number>, alias: string, everyMs: number): boolean => {
    const now = performance.now();
    if ((which.get(alias) ?? -Infinity) + everyMs > now) return false;
    which.set(alias, now);
    return true;
  };

  const noteUse = (alias: string): void => {
    const quietly = (what: string) => (error: Error) => defaultLogger.debug(`Could not record the use of ${alias} ${what}: ${error.message}`);
    if (stampDue(stamped.shared, alias, SHARED_USE_STAMP_MS)) void touchEntry(repoDir, alias).catch(quietly('in the shared repo'));
    if (stampDue(stamped.local, alias, LOCAL_USE_STAMP_MS)) void touchRecord(adaptorPath(alias)).catch(quietly('in the local cache'));
  };

  // A copy is read whole once per process: a truncated or altered file is found before any run imports it.
  const checkOnce = (alias: string): Promise<boolean> => {
    let pending = checked.get(alias);
    if (!pending) {
      pending = checkCachedCopy(adaptorPath(alias)).then(
        async (check) => {
          if (check.ok) return true;
          checked.delete(alias);
          defaultLogger.warn(`The local copy of ${alias} in ${cacheDir} is not what was materialized (${check.reason}); replacing it`);
          await removeFromCache(cacheDir, alias);
          return false;
        },
        // Gone while it was read (another process of this host evicted it): simply not ready.
        () => {
          checked.delete(alias);
          return false;
        },
      );
      checked.set(alias, pending);
    }
    return pending;
  };

  const isReady = async (alias: string): Promise<boolean> => {
    if (!(await isInstalled(cacheDir, alias)) || !(await checkOnce(alias))) return false;
    noteUse(alias);
    return true;
  };

  const ready = (alias: string): void => {
    checked.set(alias, Promise.resolve(true));
    noteUse(alias);
    scheduleEviction();
  };

  const build = async (name: string, version: string, alias: string, logger: Logger, replace: boolean): Promise<InstallOutcome> => {
    const started = performance.now();
    logger.info(`Installing ${name}@${version}`);
    const built = await buildAdaptor({ cacheDir, name, version, alias, npm, installScripts, importCheck });
    try {
      const [archive, tree] = await Promise.all([packFolder(built.dir), summarizeFolder(built.dir)]);
      const published = await publishArchive(
        repoDir,
        alias,
        archive,
        {
          format: 1,
          name,
          version,
          ...tree,
          installedAt: new Date().toISOString(),
          installedBy: { ...(workerId ? { worker: workerId } : {}), host: os.hostname(), pid: process.pid },
          installScripts,
        },
        { replace },
      );
      await writeRecord(built.dir, { alias, integrity: archive.integrity, ...tree });
      await addToCache(cacheDir, alias, built.dir);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      logger.info(
        published === 'published'
          ? `Installed ${alias} in ${seconds}s (built, verified and published to the shared repo)`
          : `${alias} was published by another installer first; using this host's own verified build (${seconds}s)`,
      );
      return published === 'published' ? 'installed' : 'lost-race';
    } finally {
      await rm(built.stage, { recursive: true, force: true });
    }
  };

  /** Materializes from the shared repo, or says why not: undefined when it is not there, the reason when it is unusable. */
  const fromShared = async (alias: string, logger: Logger): Promise<{ outcome: InstallOutcome } | { corrupt?: string }> => {
    const started = performance.now();
    const result = await materialize(repoDir, cacheDir, alias);
    if (result.outcome === 'absent') return {};
    if (result.outcome === 'corrupt') {
      logger.warn(`${alias} in the shared repo cannot be used (${result.reason}); installing it again`);
      return { corrupt: result.reason };
    }
    logger.info(`Materialized ${alias} from the shared repo in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    return { outcome: result.outcome === 'materialized' ? 'materialized' : 'already-installed' };
  };

  const obtain = async (name: string, version: string, alias: string, logger: Logger): Promise<InstallOutcome> => {
    // Another process of this host may have put it into the cache meanwhile.
    if (await isReady(alias)) return 'already-installed';
    const shared = await fromShared(alias, logger);
    if ('outcome' in shared) return shared.outcome;
    if (options.lockRepo === false) return build(name, version, alias, logger, shared.corrupt !== undefined);
    // Whoever held the lock before us has usually published it by now.
    return withInstallLock(
      repoDir,
      alias,
      logger,
      async () => {
        if (await isReady(alias)) return 'already-installed';
        const again = await fromShared(alias, logger);
        return 'outcome' in again ? again.outcome : build(name, version, alias, logger, again.corrupt !== undefined);
      },
      lockOptions,
    );
  };

  const ensure = async (specifier: string, { logger = defaultLogger }: { logger?: Logger } = {}): Promise<InstallResult> => {
    const { name, version } = await resolveVersion(specifier, { npm });
    const alias = aliasFor(`${name}@${version}`);
    const result = (outcome: InstallOutcome): InstallResult => ({ name, version, alias, path: adaptorPath(alias), outcome });
    if (await isReady(alias)) return result('already-installed');
    let pending = inFlight.get(alias);
    if (pending) {
      logger.debug(`${alias} is already being installed for another run; waiting for it`);
    } else {
      pending = limit(() => obtain(name, version, alias, logger)).finally(() => inFlight.delete(alias));
      inFlight.set(alias, pending);
    }
    const outcome = await pending;
    if (outcome !== 'already-installed') ready(alias);
    return result(outcome);
  };

  function scheduleEviction(): void {
    const maxBytes = options.cacheMaxBytes;
    if (maxBytes === undefined || evicting) return;
    const now = Date.now();
    evicting = evict(cacheDir, {
      maxBytes,
      keep: ({ alias, lastUsedMs }) => retained.has(alias) || inFlight.has(alias) || now - lastUsedMs < RECENT_USE_MS,
    })
      .then((removed) => {
        for (const alias of removed) checked.delete(alias);
        if (removed.length > 0) defaultLogger.info(`Evicted ${removed.join(', ')} from the local cache ${cacheDir} (least recently used)`);
      })
      .catch((error: Error) => defaultLogger.warn(`Could not evict from the local cache ${cacheDir}: ${error.message}`))
      .finally(() => (evicting = undefined));
  }

  // While runs hold adaptors, their records are re-stamped, so that other processes of
  // this host sharing the cache see them in use and do not evict them.
  const restampRetained = (): void => {
    for (const alias of retained.keys()) void touchRecord(adaptorPath(alias)).catch(() => undefined);
  };

  const retain = (aliases: readonly string[]): (() => void) => {
    for (const alias of aliases) retained.set(alias, (retained.get(alias) ?? 0) + 1);
    retainTimer ??= setInterval(restampRetained, LOCAL_USE_STAMP_MS).unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const alias of aliases) {
        const count = (retained.get(alias) ?? 1) - 1;
        if (count > 0) retained.set(alias, count);
        else retained.delete(alias);
      }
      if (retained.size === 0 && retainTimer) {
        clearInterval(retainTimer);
        retainTimer = undefined;
      }
    };
  };

  return {
    repoDir,
    cacheDir,
    isReady,
    ensure,
    adaptorPath,
    retain,
    sweep: async (olderThanMs) => [
      ...(await sweepStaging(repoStagingDir(repoDir), { olderThanMs })),
      ...(await sweepStaging(cacheStagingDir(cacheDir), { olderThanMs })),
    ],
    close: async () => {
      if (retainTimer) clearInterval(retainTimer);
      retainTimer = undefined;
      await evicting;
    },
  };
}
