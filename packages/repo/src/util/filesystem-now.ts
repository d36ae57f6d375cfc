import { randomBytes } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The filesystem's own clock, in ms: the mtime of a file created in `dir` just
 * now. On a network filesystem that is the server's clock, which every host
 * agrees on, while this host's own clock may be off.
 */
export async function filesystemNow(dir: string): Promise<number> {
  // `~` keeps the probe's name in the shape of a stage, so a sweep after a crash removes it.
  const probe = path.join(dir, `.now~${process.pid}~${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
    return (await stat(probe)).mtimeMs;
  } finally {
    await rm(probe, { force: true });
  }
}
