import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { cacheStagingDir, locksDir, repoStagingDir } from '../layout.js';
import { clockOffset, heartbeat, mtimeResolution, renameFile, renameOntoNonEmpty, type ProbeClock } from './fs-probes.js';
import { judgeCacheMount, judgeMount } from './mount-caching.js';
import { mountOf, parseMountInfo, readMountInfo, type Mount } from './mount-info.js';
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
  cacheDir: string | undefined;
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
  /** The host's local cache, judged too: it must be writable and on local disk. */
  cacheDir?: string;
}

/**
 * Checks whether the filesystem under `repoDir` has the properties the install
 * lock and the publishing of archives rely on, and (given `cacheDir`) whether the
 * local cache is writable, on local disk and publishes folders safely, so an
 * operator learns it before a fleet shares the directory. The probes run in
 * private folders under the `.staging/` folders (named like an install's stage,
 * so a sweep can remove them after a crash), removed afterwards. Never throws for
 * what it finds: a failed probe is a warning.
 */
export async function checkRepo(repoDir: string, options: CheckRepoOptions = {}): Promise<RepoCheck> {
  const clock: ProbeClock = { now: options.now ?? Date.now, sleep: options.sleep ?? ((ms) => delay(ms)) };
  const mountInfo = options.readMountInfo ?? readMountInfo;
  const stagingDir = repoStagingDir(repoDir);
  const repoMount = await mountOfDir(repoDir, mountInfo);
  const checks = [judgeMount(repoMount, repoMount?.fstype === 'fuse.sshfs' ? await findSshfsDaemon(repoMount) : undefined)];
  if (options.lockRepo ?? true) checks.push(await writable('locks-dir', locksDir(repoDir), repoDir));
  const staging = await writable('staging-dir', stagingDir, repoDir);
  checks.push(...(await withProbesIn(staging, (dir) => probesIn(dir, clock))));
  const { cacheDir } = options;
  if (cacheDir !== undefined) {
    checks.push(judgeCacheMount(await mountOfDir(cacheDir, mountInfo)));
    checks.push(...(await withProbesIn(await writable('cache-dir', cacheStagingDir(cacheDir), cacheDir), renameOntoNonEmpty)));
  }
  return { repoDir, cacheDir, ok: checks.every((check) => check.ok), checks };
}

async function mountOfDir(dir: string, mountInfo: () => Promise<string | undefined>): Promise<Mount | undefined> {
  const text = await mountInfo();
  return text === undefined ? undefined : mountOf(parseMountInfo(text), await realpathOfNearest(dir));
}

/** The writability check, then (when it passed) the probes run in a private folder inside what it checked. */
async function withProbesIn(writableCheck: CheckResult & { dir: string }, probes: (dir: string) => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  const { dir, ...check } = writableCheck;
  if (!check.ok) return [{ ...check, detail: `${check.detail}; the probes that run inside it were skipped` }];
  const probeDir = await mkdtemp(path.join(dir, probeName()));
  try {
    return [check, ...[await probes(probeDir)].flat()];
  } finally {
    await rm(probeDir, { recursive: true, force: true });
  }
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

async function writable(name: string, dir: string, owner: string): Promise<CheckResult & { dir: string }> {
  const file = path.join(dir, `.${probeName()}${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(file, '');
    await rm(file);
    return { name, dir, ok: true, detail: `${dir} can be created and written` };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return { name, dir, ok: false, detail: `${dir} cannot be created or written (${message})`, fix: writableFix(code, dir, owner) };
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

const probesIn = async (dir: string, clock: ProbeClock): Promise<CheckResult[]> => [
  await mtimeResolution(dir),
  await clockOffset(dir, clock),
  await renameFile(dir),
  await heartbeat(dir, clock),
];

// The shape of an install's stage (`<what>~<host>~<pid>~<random>`), so that the
// staging sweep tells a live check from one a crash left behind.
const probeName = (): string => `check-repo~${os.hostname()}~${process.pid}~`;
