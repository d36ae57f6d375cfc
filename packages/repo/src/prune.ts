import { rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { archivePath, entryPath, legacyModulesDir, repoStagingDir } from './layout.js';
import { LockHeldError, withInstallLock, type InstallLockOptions } from './lock/repo-lock.js';
import { silentLogger, type Logger } from './logger.js';
import { readEntry } from './shared/entry.js';
import { sweepStaging } from './staging.js';
import { repoStatus } from './status.js';
import { filesystemNow } from './util/filesystem-now.js';

export interface PruneOptions {
  /** Remove versions no worker has used for this long (by their entry's mtime, stamped at most hourly per worker). */
  unusedForMs: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Also remove what a layout before archives left in the repo dir (`node_modules/`, `package.json`). */
  legacy?: boolean;
  /** Take each version's lock while removing it, so no install of it runs meanwhile. Default true. */
  lock?: boolean;
  lockOptions?: Omit<InstallLockOptions, 'purpose' | 'wait'>;
  logger?: Logger;
}

export interface PruneResult {
  /** Versions removed (or, on a dry run, that would be). */
  removed: Array<{ alias: string; lastUsedAt: string; bytes: number }>;
  /** Versions left alone although old enough, and why. */
  skipped: Array<{ alias: string; reason: string }>;
  /** Archives no entry names, and staging entries, left by interrupted publishes. */
  orphans: string[];
  legacyRemoved: boolean;
}

// An archive is renamed into place just before its entry; one without an entry for
// this long was left by an interrupted publish. So is a staged file this old.
const ORPHAN_AGE_MS = 60 * 60_000;

/**
 * Removes adaptor versions no worker has used for `unusedForMs`, safely while a
 * fleet runs. Each version is removed under its lock (purpose `prune`): an install
 * of that version and its removal never overlap, other versions never wait, and a
 * version whose lock is held (being installed) is skipped. The entry goes first,
 * then the archive, so no entry ever names a missing archive. Hosts keep their
 * local copies; a run that needs a pruned version on a host without one installs
 * it again.
 */
export async function prune(repoDir: string, options: PruneOptions): Promise<PruneResult> {
  const { unusedForMs, dryRun = false, logger = silentLogger } = options;
  if (!(unusedForMs >= 0)) throw new RangeError(`unusedForMs must be zero or more, got ${unusedForMs}`);
  const status = await repoStatus(repoDir);
  const now = await filesystemNow(repoStagingDir(repoDir));
  const result: PruneResult = { removed: [], skipped: [], orphans: [], legacyRemoved: false };

  for (const { alias, entry, lastUsedAt } of status.adaptors) {
    if (!entry || !lastUsedAt || now - Date.parse(lastUsedAt) < unusedForMs) continue;
    const candidate = { alias, lastUsedAt, bytes: entry.size };
    if (dryRun) {
      result.removed.push(candidate);
      continue;
    }
    try {
      const removed = await underLock(repoDir, alias, options, () => removeIfUnused(repoDir, alias, now, unusedForMs));
      if (removed) {
        result.removed.push(candidate);
        logger.info(`Pruned ${alias} (last used ${lastUsedAt})`);
      } else {
        result.skipped.push({ alias, reason: 'used meanwhile' });
      }
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
      result.skipped.push({ alias, reason: `its lock is held (${error.message.replace(/^The lock of \S+ is held by /, 'by ')})` });
    }
  }

  for (const orphan of status.orphanArchives.filter((archive) => archive.ageMs >= ORPHAN_AGE_MS)) {
    if (!dryRun) await rm(path.join(repoDir, 'adaptors', orphan.file), { force: true });
    result.orphans.push(orphan.file);
  }
  if (dryRun) result.orphans.push(...status.staged.filter((staged) => staged.ageMs >= ORPHAN_AGE_MS).map((staged) => staged.name));
  else result.orphans.push(...(await sweepStaging(repoStagingDir(repoDir), { olderThanMs: ORPHAN_AGE_MS })).map((stage) => path.basename(stage)));

  if (options.legacy && status.legacyFolders > 0) {
    if (!dryRun) {
      await rm(legacyModulesDir(repoDir), { recursive: true, force: true });
      await rm(path.join(repoDir, 'package.json'), { force: true });
    }
    result.legacyRemoved = true;
  }
  return result;
}

function underLock<T>(repoDir: string, alias: string, options: PruneOptions, fn: () => Promise<T>): Promise<T> {
  if (options.lock === false) return fn();
  return withInstallLock(repoDir, alias, options.logger ?? silentLogger, fn, { ...options.lockOptions, purpose: 'prune', wait: false });
}

// Looked at again under the lock: a worker may have used it, or reinstalled it, since the listing.
async function removeIfUnused(repoDir: string, alias: string, now: number, unusedForMs: number): Promise<boolean> {
  const found = await readEntry(repoDir, alias);
  if (found.state !== 'found' || now - found.lastUsedMs < unusedForMs) return false;
  await unlink(entryPath(repoDir, alias));
  await rm(archivePath(repoDir, alias, found.entry.archive), { force: true });
  return true;
}
