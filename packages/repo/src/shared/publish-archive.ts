import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RepoWriteError } from '../errors.js';
import { archivePath, repoStagingDir } from '../layout.js';
import { stageName } from '../staging.js';
import type { Archive } from '../archive/pack.js';
import { readEntry, writeEntry, type RepoEntry } from './entry.js';

export type ArchivePublishOutcome = 'published' | 'lost-race';

/**
 * Publishes one adaptor version to the shared repo: the archive is written to
 * the repo's staging folder and flushed, renamed to a fresh name derived from
 * its hash (never over another archive), and only then is the index entry that
 * names it renamed into place. A reader therefore finds no entry, or an entry
 * whose archive is complete. A crash in between leaves an archive no entry
 * names, which `repo prune` removes.
 *
 * When another worker published a sound version meanwhile (no lock, or a lock
 * taken over), nothing is written: `lost-race`. With `replace`, an entry found
 * corrupt is replaced: the new archive is renamed in first, then the entry.
 */
export async function publishArchive(
  repoDir: string,
  alias: string,
  archive: Archive,
  entry: Omit<RepoEntry, 'archive' | 'integrity' | 'size'>,
  { replace = false }: { replace?: boolean } = {},
): Promise<ArchivePublishOutcome> {
  if (!replace && (await hasSoundEntry(repoDir, alias))) return 'lost-race';
  const file = archiveName(alias, archive);
  const final = archivePath(repoDir, alias, file);
  const staged = path.join(repoStagingDir(repoDir), `${stageName(alias)}.tgz`);
  try {
    await Promise.all([mkdir(path.dirname(final), { recursive: true }), mkdir(path.dirname(staged), { recursive: true })]);
    await writeDurably(staged, archive.data);
    await rename(staged, final);
    await writeEntry(repoDir, alias, { ...entry, archive: file, integrity: archive.integrity, size: archive.data.length });
    return 'published';
  } catch (error) {
    throw new RepoWriteError(`Could not publish ${alias} to the shared repo ${repoDir}`, error);
  } finally {
    await rm(staged, { force: true });
  }
}

/**
 * `<name>_<version>.<16 hex digits of the archive's SHA-512>.tgz`: two different
 * builds never share a name, and a rebuild of the same tree gets the same name
 * and the same bytes, so a rename onto it changes nothing.
 */
export const archiveName = (alias: string, archive: Archive): string =>
  `${path.posix.basename(alias)}.${createHash('sha512').update(archive.data).digest('hex').slice(0, 16)}.tgz`;

// An entry whose archive is there at the size it names; the reader checks the hash.
async function hasSoundEntry(repoDir: string, alias: string): Promise<boolean> {
  const found = await readEntry(repoDir, alias);
  if (found.state !== 'found') return false;
  const size = await stat(archivePath(repoDir, alias, found.entry.archive)).then(
    (stats) => stats.size,
    () => undefined,
  );
  return size === found.entry.size;
}

// Flushed before the rename: a server crash must not leave a published name over missing bytes.
async function writeDurably(file: string, data: Uint8Array): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
