import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { CorruptAdaptorError } from '../errors.js';
import { exists } from '../util/exists.js';

export type PublishOutcome = 'published' | 'lost-race';

/**
 * What a rename onto an existing, non-empty folder reports: ENOTEMPTY or EEXIST
 * on local filesystems and NFS, EPERM on sshfs. A publish failing with one of
 * these lost a race.
 */
export const TARGET_TAKEN_CODES: ReadonlySet<string> = new Set(['ENOTEMPTY', 'EEXIST', 'EPERM']);

/**
 * Moves a finished adaptor folder to its final path in ONE rename, so the final
 * path is either absent or complete. Losing the race to another installer of the
 * same alias is success: the winner's folder is just as good.
 *
 * The final path must never be created any other way: rename(2) silently replaces
 * an EMPTY directory, which would let a half-made folder be overwritten unseen.
 */
export async function publishFolder(builtDir: string, finalDir: string): Promise<PublishOutcome> {
  await mkdir(path.dirname(finalDir), { recursive: true });
  try {
    await rename(builtDir, finalDir);
    return 'published';
  } catch (error) {
    if (!TARGET_TAKEN_CODES.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    if (await exists(path.join(finalDir, 'package.json'))) return 'lost-race';
    throw new CorruptAdaptorError(finalDir);
  }
}
