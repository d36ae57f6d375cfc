import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isAlias } from './alias.js';
import { listCached } from './cache/evict.js';
import { archivePath, legacyModulesDir, lockPaths, locksDir, repoStagingDir } from './layout.js';
import { readOwner, type LockOwner } from './lock/lock-owner.js';
import { listAdaptorFiles, readEntry, type RepoEntry } from './shared/entry.js';
import { filesystemNow } from './util/filesystem-now.js';

export interface AdaptorStatus {
  alias: string;
  /** The entry as published; undefined when it is corrupt (see `problem`). */
  entry?: RepoEntry;
  /** When a worker last used it: the entry's mtime, stamped at most hourly per worker. */
  lastUsedAt?: string;
  /** Why this version cannot be used as it is (a run that needs it installs it again). */
  problem?: string;
}

export interface LockStatus {
  alias: string;
  holder?: LockOwner;
  /** How long ago the holder last stamped its heartbeat, by the filesystem's clock. */
  heartbeatAgeMs: number;
}

export interface StagedStatus {
  name: string;
  ageMs: number;
}

export interface RepoStatus {
  repoDir: string;
  adaptors: AdaptorStatus[];
  /** Bytes of all archives, and how many files the shared repo holds for them (archives and entries). */
  archiveBytes: number;
  files: number;
  locks: LockStatus[];
  /** What is in the shared repo's staging folder: attempts in progress, or orphans of interrupted ones. */
  staged: StagedStatus[];
  /** Archives no entry names (an interrupted publish, or a replaced archive); `repo prune` removes them. */
  orphanArchives: Array<{ file: string; bytes: number; ageMs: number }>;
  cache?: { cacheDir: string; adaptors: number; bytes: number };
  /** Adaptor folders of the layout before archives (or of the reference worker), which nothing here reads. */
  legacyFolders: number;
}

/** Everything an operator needs to know about a shared repo (and this host's cache), read without taking any lock. */
export async function repoStatus(repoDir: string, cacheDir?: string): Promise<RepoStatus> {
  const staging = repoStagingDir(repoDir);
  const now = await filesystemNow(staging).catch(() => Date.now());
  const { aliases, archives } = await listAdaptorFiles(repoDir);

  const adaptors = present(await Promise.all(aliases.map((alias) => adaptorStatus(repoDir, alias))));
  const named = new Set(adaptors.flatMap(({ alias, entry }) => (entry ? [archivePath(repoDir, alias, entry.archive)] : [])));
  // Anything listed may be gone by the time it is looked at (a prune, a finished publish): left out then.
  const archiveFiles = present(
    await Promise.all(
      archives.map(async ({ scope, file }) => {
        const full = path.join(repoDir, 'adaptors', scope, file);
        const stats = await stat(full).catch(() => undefined);
        return stats && { file: path.posix.join(scope, file), full, bytes: stats.size, ageMs: now - stats.mtimeMs };
      }),
    ),
  );

  return {
    repoDir,
    adaptors,
    archiveBytes: archiveFiles.reduce((sum, archive) => sum + archive.bytes, 0),
    files: aliases.length + archives.length,
    locks: await lockStatus(repoDir, now),
    staged: present(
      await Promise.all(
        (await readdir(staging).catch(() => [])).map(async (name) => {
          const stats = await stat(path.join(staging, name)).catch(() => undefined);
          return stats && { name, ageMs: now - stats.mtimeMs };
        }),
      ),
    ),
    orphanArchives: archiveFiles.filter(({ full }) => !named.has(full)).map(({ file, bytes, ageMs }) => ({ file, bytes, ageMs })),
    ...(cacheDir ? { cache: await cacheStatus(cacheDir) } : {}),
    legacyFolders: await countLegacy(repoDir),
  };
}

async function adaptorStatus(repoDir: string, alias: string): Promise<AdaptorStatus | undefined> {
  const found = await readEntry(repoDir, alias);
  if (found.state === 'corrupt') return { alias, problem: found.reason };
  if (found.state === 'absent') return undefined;
  const { entry, lastUsedMs } = found;
  const size = await stat(archivePath(repoDir, alias, entry.archive)).then(
    (stats) => stats.size,
    () => undefined,
  );
  const problem =
    size === undefined ? `its archive ${entry.archive} is missing` : size !== entry.size ? `its archive has ${size} bytes where the index says ${entry.size}` : undefined;
  return { alias, entry, lastUsedAt: new Date(lastUsedMs).toISOString(), ...(problem ? { problem } : {}) };
}

async function lockStatus(repoDir: string, now: number): Promise<LockStatus[]> {
  const names = await readdir(locksDir(repoDir), { recursive: true }).catch(() => []);
  const aliases = names.filter((name) => name.endsWith('.lock.lock')).map((name) => name.slice(0, -'.lock.lock'.length).split(path.sep).join('/'));
  const locks = await Promise.all(
    aliases.filter(isAlias).map(async (alias) => {
      const paths = lockPaths(repoDir, alias);
      const [holder, stats] = await Promise.all([readOwner(paths.owner), stat(paths.lockDir).catch(() => undefined)]);
      return stats ? { alias, ...(holder ? { holder } : {}), heartbeatAgeMs: now - stats.mtimeMs } : undefined;
    }),
  );
  return present(locks);
}

const present = <T>(items: Array<T | undefined>): T[] => items.filter((item): item is T => item !== undefined);

async function cacheStatus(cacheDir: string): Promise<NonNullable<RepoStatus['cache']>> {
  const cached = await listCached(cacheDir);
  return { cacheDir, adaptors: cached.length, bytes: cached.reduce((sum, adaptor) => sum + adaptor.bytes, 0) };
}

async function countLegacy(repoDir: string): Promise<number> {
  const root = legacyModulesDir(repoDir);
  let count = 0;
  for (const name of await readdir(root).catch(() => [])) {
    if (name.startsWith('@')) count += (await readdir(path.join(root, name)).catch(() => [])).filter((scoped) => isAlias(`${name}/${scoped}`)).length;
    else if (isAlias(name)) count += 1;
  }
  return count;
}
