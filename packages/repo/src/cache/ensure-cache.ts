import { randomBytes } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { cacheIndexPath, cacheStagingDir } from '../layout.js';
import { emptyIndex, readIndex, type CacheIndex } from './cache-index.js';

/**
 * Creates the local cache and its index if they are missing, and returns the
 * index. Safe to call from many processes of one host at once: the index is
 * created with `link`, which fails rather than overwrite an index another
 * worker just wrote.
 */
export async function ensureCache(cacheDir: string): Promise<CacheIndex> {
  await mkdir(cacheStagingDir(cacheDir), { recursive: true });
  const existing = await readIndex(cacheDir);
  if (existing) return existing;

  const target = cacheIndexPath(cacheDir);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(emptyIndex(), null, 2)}\n`);
    await link(temp, target);
  } catch (error) {
    // EEXIST: someone else created it first, or it exists but is unreadable, which
    // the next index sync repairs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temp, { force: true });
  }
  return (await readIndex(cacheDir)) ?? emptyIndex();
}
