import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CorruptAdaptorError } from '../errors.js';
import { cachedAdaptorDir, cacheStagingDir } from '../layout.js';
import { stageName } from '../staging.js';
import { syncIndex, unlistFromIndex } from './cache-index.js';
import { ensureCache } from './ensure-cache.js';
import { publishFolder, type PublishOutcome } from './publish-folder.js';

/**
 * Publishes a complete, verified adaptor folder into the local cache (one
 * rename) and lists it in the cache's index. Another process of this host
 * publishing first is a lost race, and as good. Whatever is in the way at the
 * final path without being an adaptor is cleared first: the cache is ours.
 */
export async function addToCache(cacheDir: string, alias: string, folder: string): Promise<PublishOutcome> {
  await ensureCache(cacheDir);
  const final = cachedAdaptorDir(cacheDir, alias);
  let outcome: PublishOutcome;
  try {
    outcome = await publishFolder(folder, final);
  } catch (error) {
    if (!(error instanceof CorruptAdaptorError)) throw error;
    await removeFromCache(cacheDir, alias);
    outcome = await publishFolder(folder, final);
  }
  await syncIndex(cacheDir);
  return outcome;
}

/**
 * Takes an adaptor out of the local cache: one rename moves its folder out of
 * sight (so it is never seen half-removed), then it is deleted and unlisted.
 */
export async function removeFromCache(cacheDir: string, alias: string): Promise<void> {
  const trash = path.join(cacheStagingDir(cacheDir), stageName(alias));
  await mkdir(path.dirname(trash), { recursive: true });
  const moved = await rename(cachedAdaptorDir(cacheDir, alias), trash).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  if (moved) await rm(trash, { recursive: true, force: true });
  await unlistFromIndex(cacheDir, alias);
}
