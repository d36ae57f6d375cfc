import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseAlias } from './alias.js';
import { extractArchive, UnsafeArchiveError } from './archive/extract.js';
import { integrityOf } from './archive/pack.js';
import { addToCache } from './cache/add-to-cache.js';
import { writeRecord } from './cache/local-record.js';
import { CacheWriteError } from './errors.js';
import { archivePath, cacheStagingDir } from './layout.js';
import { readEntry } from './shared/entry.js';
import { createStage } from './staging.js';
import { readManifest } from './util/read-manifest.js';

/**
 * - `materialized`: the archive was verified and extracted into the local cache;
 * - `lost-race`: so was another process's copy of it, first (as good);
 * - `absent`: the shared repo has no entry for it;
 * - `corrupt`: it has one, but the entry or its archive is unusable (with why).
 */
export type MaterializeResult = { outcome: 'materialized' | 'lost-race' } | { outcome: 'absent' } | { outcome: 'corrupt'; reason: string };

// Reading an archive another host is pruning (or that was replaced) can fail
// with these; the version is then simply not there to materialize.
const GONE = new Set(['ENOENT', 'ESTALE']);

/**
 * Makes one adaptor version usable on this host from the shared repo, without
 * npm and without a lock: reads its index entry and its archive, checks the
 * archive's size and hash against the entry before a byte of it is unpacked,
 * extracts it into a local stage, checks the result is the package the entry
 * names, and publishes it into the local cache with one rename.
 */
export async function materialize(repoDir: string, cacheDir: string, alias: string): Promise<MaterializeResult> {
  const found = await readEntry(repoDir, alias);
  if (found.state !== 'found') return found.state === 'absent' ? { outcome: 'absent' } : { outcome: 'corrupt', reason: found.reason };
  const { entry } = found;

  let data: Buffer;
  try {
    data = await readFile(archivePath(repoDir, alias, entry.archive));
  } catch (error) {
    if (!GONE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    // Pruned (entry first, then archive) or replaced while we read: simply not there now.
    if ((await readEntry(repoDir, alias)).state === 'absent') return { outcome: 'absent' };
    return { outcome: 'corrupt', reason: `its archive ${entry.archive} is missing` };
  }
  if (data.length !== entry.size) {
    return { outcome: 'corrupt', reason: `its archive ${entry.archive} has ${data.length} bytes where the index says ${entry.size}` };
  }
  if (integrityOf(data) !== entry.integrity) return { outcome: 'corrupt', reason: `its archive ${entry.archive} does not match the hash in the index` };

  let stage: string | undefined;
  try {
    stage = await createStage(cacheStagingDir(cacheDir), alias);
    const folder = path.join(stage, 'package');
    const tree = await extractArchive(data, folder);
    const manifest = await readManifest(folder);
    const { name, version } = parseAlias(alias);
    if (manifest?.name !== name || manifest?.version !== version || tree.digest !== entry.digest) {
      return { outcome: 'corrupt', reason: `its archive ${entry.archive} does not hold the tree its index entry describes` };
    }
    await writeRecord(folder, { alias, integrity: entry.integrity, digest: tree.digest, files: tree.files, unpackedSize: tree.unpackedSize });
    return { outcome: (await addToCache(cacheDir, alias, folder)) === 'published' ? 'materialized' : 'lost-race' };
  } catch (error) {
    if (error instanceof UnsafeArchiveError) return { outcome: 'corrupt', reason: error.message };
    throw new CacheWriteError(`Could not materialize ${alias} into the local cache ${cacheDir}`, error);
  } finally {
    if (stage) await rm(stage, { recursive: true, force: true });
  }
}
