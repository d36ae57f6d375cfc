import path from 'node:path';
import { adaptorDir } from './layout.js';
import { readIndex } from './repo-index.js';
import { exists } from './util/exists.js';

/**
 * The lock-free fast path: an alias is installed when its published folder has a
 * package.json AND the index lists it. A few fs calls; never npm, never a lock.
 */
export async function isInstalled(repoDir: string, alias: string): Promise<boolean> {
  const folder = adaptorDir(repoDir, alias);
  if (!(await exists(path.join(folder, 'package.json')))) return false;
  const index = await readIndex(repoDir);
  return index?.dependencies[alias] !== undefined;
}
