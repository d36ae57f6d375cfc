import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { clockOffset, heartbeat, mtimeResolution, renameOntoNonEmpty, type ProbeClock } from './fs-probes.js';
import { judgeMount } from './mount-caching.js';
import { mountOf, parseMountInfo, readMountInfo } from './mount-info.js';
import { findSshfsDaemon } from './sshfs-options.js';

/** One property of the filesystem under a repo dir that the install lock or publishing relies on. */
export interface CheckResult {
  name: string;
  /** False is a warning, and comes with a fix. Findings that are fine as they are stay ok. */
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface RepoCheck {
  repoDir: string;
  /** Every check is ok. */
  ok: boolean;
  checks: CheckResult[];
}

export interface CheckRepoOptions {
  /** Wall-clock ms, the time the lock's heartbeat stamps. Default Date.now. */
  now?: () => number;
  /** Waits between the two stamps of the heartbeat probe. */
  sleep?: (ms: number) => Promise<void>;
  /** The text of /proc/self/mountinfo; undefined where there is none (not Linux). */
  readMountInfo?: () => Promise<string | undefined>;
  /** Whether the worker takes the install lock. Without it `.locks/` is neither needed nor created. Default true. */
  lockRepo?: boolean;
}

/**
 * Checks whether the filesystem under `repoDir` has the properties the install
 * lock and the atomic publish rely on, so an operator learns it before a fleet
 * shares the directory. The probes run in a private folder under `.staging/`
 * (named like an install's stage, so a sweep can remove it after a crash), removed
 * afterwards. Never throws for what it finds: a failed probe is a warning.
 */
export async function checkRepo(repoDir: string, options: CheckRepoOptions = {}): Promise<RepoCheck> {
  const clock: ProbeClock = { now: options.now ?? Date.now, sleep: options.sleep ?? ((ms) => delay(ms)) };
  const stagingDir = path.join(repoDir, '.staging');
  const checks = [await filesystem(repoDir, options.readMountInfo ?? readMountInfo)];
  if (options.lockRepo ?? true) checks.push(await writable('locks-dir', path.join(repoDir, '.locks'), repoDir));
  const staging = await writable('staging-dir', stagingDir, repoDir);
  if (staging.ok) checks.push(staging, ...(await probesIn(stagingDir, clock)));
  else checks.push({ ...staging, detail: `${staging.detail}; the probes that run inside it were skipped` });
  return { repoDir, ok: checks.every((check) => check.ok), checks };
}

async function filesystem(repoDir: string, mountInfo: () => Promise<string | undefined>): Promise<CheckResult> {
  const text = await mountInfo();
  const mount = text === undefined ? undefined : mountOf(parseMountInfo(text), await realpathOfNearest(repoDir));
  return judgeMount(mount, mount?.fstype === 'fuse.sshfs' ? await findSshfsDaemon(mount) : undefined);
}

/** The real path of `dir`, or of its nearest existing ancestor followed by the rest: the repo dir may not exist yet. */
async function realpathOfNearest(dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch (error) {
    const parent = path.dirname(dir);
    if (parent === dir) throw error;
    return path.join(await realpathOfNearest(parent), path.basename(dir));
  }
}

async function writable(name: string, dir: string, repoDir: string): Promise<CheckResult> {
  const file = path.join(dir, `.${probeName()}${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(file, '');
    await rm(file);
    return { name, ok: true, detail: `${dir} can be created and written` };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return { name, ok: false, detail: `${dir} cannot be created or written (${message})`, fix: writableFix(code, dir, repoDir) };
  }
}

function writableFix(code: string | undefined, dir: string, repoDir: string): string {
  if (code === 'EROFS') return 'mount the repo dir read-write';
  if (code === 'EEXIST' || code === 'ENOTDIR') return `move the file that is in the way of ${dir}`;
  const uid = process.getuid?.();
  return uid === undefined
    ? `let the worker's user create and write files in ${dir}`
    : `let the worker's user (uid ${uid}) create and write files in ${dir}, e.g. chown -R ${uid} ${repoDir}`;
}

async function probesIn(stagingDir: string, clock: ProbeClock): Promise<CheckResult[]> {
  const dir = await mkdtemp(path.join(stagingDir, probeName()));
  try {
    return [await mtimeResolution(dir), await clockOffset(dir, clock), await renameOntoNonEmpty(dir), await heartbeat(dir, clock)];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The shape of an install's stage (`<what>~<host>~<pid>~<random>`), so that the
// staging sweep tells a live check from one a crash left behind.
const probeName = (): string => `check-repo~${os.hostname()}~${process.pid}~`;
