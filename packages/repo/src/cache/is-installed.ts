import path from 'node:path';
import { cachedAdaptorDir } from '../layout.js';
import { exists } from '../util/exists.js';
import { readIndex } from './cache-index.js';

/**
 * The lock-free fast path: an alias is installed in a local cache when its
 * folder has a package.json AND the cache's index lists it. A few fs calls;
 * never npm, never a lock, never the shared repo.
 */
export async function isInstalled(cacheDir: string, alias: string): Promise<boolean> {
  const folder = cachedAdaptorDir(cacheDir, alias);
  if (!(await exists(path.join(folder, 'package.json')))) return false;
  const index = await readIndex(cacheDir);
  return index?.dependencies[alias] !== undefined;
}
