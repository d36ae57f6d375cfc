import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAlias } from '../alias.js';
import { lockPaths, type LockPaths } from '../layout.js';
import type { Logger } from '../logger.js';
import { pidIsAlive } from '../util/pid-is-alive.js';
import lockfile from 'proper-lockfile';
import { describeOwner, newOwner, ownerIsGone, readOwner, removeOwner, writeOwner, type LockOwner, type LockPurpose } from './lock-owner.js';

export interface InstallLockOptions {
  /** A lock whose heartbeat a waiter has not seen move for this long is taken over. Default 10 s. */
  staleMs?: number;
  /** How often the holder touches the lock. At least 1 s: some filesystems keep whole-second mtimes. Default 2 s. */
  heartbeatMs?: number;
  /** How often a waiter looks at the lock. Default 0.5 s. */
  pollMs?: number;
  /** After waiting this long for a live holder, install without the lock (still correct, maybe duplicated). Default 10 min. */
  maxWaitMs?: number;
  /** Recorded in the owner record, so operators can tell which worker holds a lock. */
  workerId?: string;
  /** Recorded in the owner record. Default `install`. */
  purpose?: LockPurpose;
  /** False: when the lock is held, fail at once with LockHeldError instead of waiting. Default true. */
  wait?: boolean;
  onEvent?: (event: LockEvent) => void;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
  isAlive?: (pid: number) => boolean;
}

export type LockEvent =
  | { type: 'wait'; alias: string; holder?: LockOwner }
  | { type: 'takeover'; alias: string; reason: 'holder-gone' | 'stale'; holder?: LockOwner }
  | { type: 'acquired'; alias: string; waitedMs: number }
  | { type: 'gave-up'; alias: string; waitedMs: number }
  | { type: 'compromised'; alias: string; message: string }
  | { type: 'released'; alias: string; heldMs: number };

const DEFAULTS = { staleMs: 10_000, heartbeatMs: 2_000, pollMs: 500, maxWaitMs: 600_000 };

/** The lock is held by someone else, and the caller asked not to wait (`wait: false`). */
export class LockHeldError extends Error {
  override name = 'LockHeldError';
  constructor(
    readonly alias: string,
    readonly holder: LockOwner | undefined,
  ) {
    super(`The lock of ${alias} is held by ${describeOwner(holder)}`);
  }
}

// proper-lockfile's own staleness compares the holder's mtime with the waiter's
// wall clock, which misfires when hosts' clocks differ. We switch it off (a stale
// window it never reaches) and judge staleness ourselves, below.
const NEVER_STALE_MS = 365 * 24 * 3600 * 1000;

/**
 * Runs `fn` while holding the install lock of one adaptor alias in a shared repo
 * directory, so a fleet installs each adaptor version once. Different aliases
 * never wait on each other. The lock is an optimisation, not what keeps the repo
 * correct (publishing is atomic), so every doubt resolves towards running `fn`:
 * a dead holder is taken over, a lock lost while held is logged and the install
 * carries on, and a waiter that waited `maxWaitMs` goes ahead without the lock.
 *
 * Staleness is skew-proof: the holder re-stamps the lock's mtime every
 * heartbeat, and a waiter declares the lock stale only when it has seen that
 * mtime stand still for `staleMs` of the WAITER's own monotonic time. The mtime's
 * value is never compared with any clock, so a holder whose clock is off keeps
 * its lock as long as it heartbeats. A holder on the same host whose process is
 * gone is taken over at once.
 */
export async function withInstallLock<T>(
  repoDir: string,
  alias: string,
  logger: Logger,
  fn: () => Promise<T>,
  options: InstallLockOptions = {},
): Promise<T> {
  parseAlias(alias); // refuses `..`, absolute paths and anything else before a path is built
  const settings = { ...DEFAULTS, now: () => performance.now(), isAlive: pidIsAlive, ...options };
  validate(settings);
  const paths = lockPaths(repoDir, alias);
  await mkdir(path.dirname(paths.target), { recursive: true });

  const release = await acquire(paths, alias, logger, settings);
  try {
    return await fn();
  } finally {
    await release?.();
  }
}

type Settings = typeof DEFAULTS & Omit<InstallLockOptions, keyof typeof DEFAULTS> & Required<Pick<InstallLockOptions, 'now' | 'isAlive'>>;


function validate({ staleMs, heartbeatMs, pollMs, maxWaitMs }: Settings): void {
  if (!(heartbeatMs >= 1000)) throw new RangeError(`heartbeatMs must be at least 1000, got ${heartbeatMs}`);
  if (!(staleMs >= 2 * heartbeatMs)) throw new RangeError(`staleMs (${staleMs}) must be at least twice heartbeatMs (${heartbeatMs})`);
  if (!(pollMs > 0)) throw new RangeError(`pollMs must be positive, got ${pollMs}`);
  if (!(maxWaitMs > staleMs)) throw new RangeError(`maxWaitMs (${maxWaitMs}) must be above staleMs (${staleMs})`);
}

/** Resolves to a release function, or to undefined when the waiter gave up and goes ahead unlocked. */
async function acquire(
  paths: LockPaths,
  alias: string,
  logger: Logger,
  settings: Settings,
): Promise<(() => Promise<void>) | undefined> {
  const { now, onEvent } = settings;
  const started = now();
  let waited = false;
  // The lock's mtime as last seen, and when (waiter's clock) it last changed.
  let heartbeat: { mtimeMs: number; seenAt: number } | undefined;
  // A holder found gone is only taken over if it is still the holder one poll later:
  // a new holder may have just created the lock and not yet written its record.
  let goneToken: string | undefined;

  for (;;) {
    const release = await tryLock(paths, alias, logger, settings);
    if (release) {
      const waitedMs = Math.round(now() - started);
      onEvent?.({ type: 'acquired', alias, waitedMs });
      if (waited) logger.debug(`Acquired the install lock of ${alias} after ${waitedMs} ms`);
      return release;
    }

    const holder = await readOwner(paths.owner);
    if (settings.wait === false) throw new LockHeldError(alias, holder);
    if (!waited) {
      waited = true;
      logger.info(`Waiting for the install lock of ${alias}, held by ${describeOwner(holder)}`);
      onEvent?.({ type: 'wait', alias, ...(holder ? { holder } : {}) });
    }

    const mtimeMs = await stat(paths.lockDir).then(
      (stats) => stats.mtimeMs,
      () => undefined,
    );
    if (mtimeMs === undefined) continue; // released meanwhile: try again at once
    const at = now();
    if (heartbeat?.mtimeMs !== mtimeMs) heartbeat = { mtimeMs, seenAt: at };

    const gone = holder && ownerIsGone(holder, settings.isAlive) ? holder.token : undefined;
    if (gone && gone === goneToken) {
      await takeOver(paths, alias, logger, settings, 'holder-gone', holder, mtimeMs);
      heartbeat = goneToken = undefined;
      continue;
    }
    goneToken = gone;

    if (at - heartbeat.seenAt >= settings.staleMs) {
      await takeOver(paths, alias, logger, settings, 'stale', holder, mtimeMs);
      heartbeat = goneToken = undefined;
      continue;
    }

    if (at - started >= settings.maxWaitMs) {
      const waitedMs = Math.round(at - started);
      logger.warn(
        `Gave up waiting for the install lock of ${alias} after ${waitedMs} ms (held by ${describeOwner(holder)}); installing without it`,
      );
      onEvent?.({ type: 'gave-up', alias, waitedMs });
      return undefined;
    }
    await sleep(settings.pollMs * (0.75 + Math.random() * 0.5));
  }
}

async function tryLock(
  paths: LockPaths,
  alias: string,
  logger: Logger,
  { heartbeatMs, workerId, purpose = 'install', onEvent, now }: Settings,
): Promise<(() => Promise<void>) | undefined> {
  let releaseLock: () => Promise<void>;
  try {
    releaseLock = await lockfile.lock(paths.target, {
      lockfilePath: paths.lockDir,
      realpath: false,
      retries: 0,
      stale: NEVER_STALE_MS,
      update: heartbeatMs,
      // Never throw from proper-lockfile's timer: that would crash the worker. The
      // install goes on; if someone took over, the atomic publish keeps the repo whole.
      onCompromised: (error) => {
        logger.warn(`Lost the install lock of ${alias} while holding it (${error.message}); finishing the install anyway`);
        onEvent?.({ type: 'compromised', alias, message: error.message });
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw error;
  }

  const owner = newOwner(workerId, purpose);
  const acquiredAt = now();
  await writeOwner(paths.owner, owner);
  await confirmOwnership(paths, alias, owner, logger, onEvent);
  return async () => {
    await removeOwner(paths.owner, owner);
    // Rejects when the lock was compromised meanwhile; there is nothing left to release then.
    await releaseLock().catch(() => undefined);
    onEvent?.({ type: 'released', alias, heldMs: Math.round(now() - acquiredAt) });
  };
}

/**
 * Some network filesystem clients report a mkdir as done when another host's
 * mkdir of the same directory won, so two workers may both believe they hold a
 * lock. Each writes its owner record (the last rename wins), so a record that is
 * not ours right after we wrote it says so. Nothing is undone: the lock only
 * saves duplicate installs, and publishing stays atomic; the operator is told.
 */
async function confirmOwnership(paths: LockPaths, alias: string, owner: LockOwner, logger: Logger, onEvent: Settings['onEvent']): Promise<void> {
  const recorded = await readOwner(paths.owner);
  if (recorded?.token === owner.token) return;
  const message = `${describeOwner(recorded)} holds it too: this filesystem did not make creating the lock exclusive`;
  logger.warn(`The install lock of ${alias} is not ours alone (${message}); installing anyway, publishing stays atomic`);
  onEvent?.({ type: 'compromised', alias, message });
}

async function takeOver(
  paths: LockPaths,
  alias: string,
  logger: Logger,
  { onEvent }: Settings,
  reason: 'holder-gone' | 'stale',
  holder: LockOwner | undefined,
  observedMtimeMs: number,
): Promise<void> {
  // Narrow the window in which two waiters both take over (at worst both install,
  // which the atomic publish makes harmless): only remove the lock we judged.
  const current = await stat(paths.lockDir).catch(() => undefined);
  if (current?.mtimeMs !== observedMtimeMs) return;
  const why = reason === 'stale' ? 'its heartbeat stopped' : 'its process is gone';
  logger.warn(`Taking over the install lock of ${alias} from ${describeOwner(holder)}: ${why}`);
  onEvent?.({ type: 'takeover', alias, reason, ...(holder ? { holder } : {}) });
  await rm(paths.lockDir, { recursive: true, force: true });
}
