import { randomBytes } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { emptyIndex, readIndex, type RepoIndex } from './repo-index.js';
import { indexPath, stagingDir } from './layout.js';

/**
 * Creates the repo directory and its index if they are missing, and returns the
 * index. Safe to call from many processes at once: the index is created with
 * `link`, which fails rather than overwrite an index another worker just wrote.
 */
export async function ensureRepo(repoDir: string): Promise<RepoIndex> {
  await mkdir(stagingDir(repoDir), { recursive: true });
  const existing = await readIndex(repoDir);
  if (existing) return existing;

  const target = indexPath(repoDir);
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
  return (await readIndex(repoDir)) ?? emptyIndex();
}
