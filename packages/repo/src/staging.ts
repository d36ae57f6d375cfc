import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { filesystemNow } from './util/filesystem-now.js';
import { pidIsAlive } from './util/pid-is-alive.js';

// `~` appears in no package name, version or host name, so it can separate them.
const SEPARATOR = '~';

/**
 * A private name in a staging folder for one attempt at something (a build, an
 * extraction, an archive being written): `<alias with / as +>~<host>~<pid>~<random>`.
 * Host and pid let a sweep on the same host tell a live attempt from an orphan.
 */
export const stageName = (alias: string): string =>
  [alias.replace('/', '+'), os.hostname(), process.pid, randomBytes(4).toString('hex')].join(SEPARATOR);

/** Creates a private work folder in `stagingRoot` (a cache's or the shared repo's `.staging`). */
export async function createStage(stagingRoot: string, alias: string): Promise<string> {
  const stage = path.join(stagingRoot, stageName(alias));
  await mkdir(stage, { recursive: true });
  return stage;
}

export interface SweepOptions {
  /** Remove stages older than this. An install that runs longer than this on another host would be broken. */
  olderThanMs: number;
  /** For tests: whether a pid is alive on this host. */
  isAlive?: (pid: number) => boolean;
}

/**
 * Removes what crashed or killed attempts left in a staging folder. Age is
 * measured against the filesystem's own clock (the mtime of a file created just
 * now), because on a network filesystem the stage's mtime comes from the server
 * and this host's clock may be off. Stages of live processes on this host are kept.
 */
export async function sweepStaging(root: string, options: SweepOptions): Promise<string[]> {
  const { olderThanMs, isAlive = pidIsAlive } = options;
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const now = await filesystemNow(root);
  const host = os.hostname();
  const removed: string[] = [];
  for (const name of names) {
    const [, owner, pid] = name.split(SEPARATOR);
    if (owner === host && pid && isAlive(Number(pid))) continue;
    const stage = path.join(root, name);
    const stats = await stat(stage).catch(() => undefined);
    if (!stats || now - stats.mtimeMs < olderThanMs) continue;
    await rm(stage, { recursive: true, force: true });
    removed.push(stage);
  }
  return removed;
}
