import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pidIsAlive } from './util/pid-is-alive.js';
import { stagingDir } from './layout.js';

// `~` appears in no package name, version or host name, so it can separate them.
const SEPARATOR = '~';

/**
 * Creates a private work folder for one install attempt:
 * `.staging/<alias with / as +>~<host>~<pid>~<random>`. Host and pid let a sweep
 * on the same host tell a live install from an orphan.
 */
export async function createStage(repoDir: string, alias: string): Promise<string> {
  const name = [alias.replace('/', '+'), os.hostname(), process.pid, randomBytes(4).toString('hex')].join(SEPARATOR);
  const stage = path.join(stagingDir(repoDir), name);
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
 * Removes staging folders left behind by crashed or killed installs. Age is
 * measured against the filesystem's own clock (the mtime of a file created just
 * now), because on a network filesystem the stage's mtime comes from the server
 * and this host's clock may be off. Stages of live processes on this host are kept.
 */
export async function sweepStaging(repoDir: string, options: SweepOptions): Promise<string[]> {
  const { olderThanMs, isAlive = pidIsAlive } = options;
  const root = stagingDir(repoDir);
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

async function filesystemNow(dir: string): Promise<number> {
  const probe = path.join(dir, `.now${SEPARATOR}${process.pid}${SEPARATOR}${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
    return (await stat(probe)).mtimeMs;
  } finally {
    await rm(probe, { force: true });
  }
}
