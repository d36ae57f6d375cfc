import * as fs from 'node:fs/promises';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import esmock from 'esmock';
import { checkRepo, type CheckResult, type RepoCheck } from '../src/index.js';
import type * as FsProbes from '../src/check/fs-probes.js';
import { tempDir } from './helpers/temp-dir.js';

const NAMES = ['filesystem', 'locks-dir', 'staging-dir', 'mtime-resolution', 'clock-offset', 'rename-file', 'heartbeat'];
const CACHE_NAMES = ['cache-filesystem', 'cache-dir', 'rename-onto-non-empty'];

/** This host's wall clock, shifted by `offsetMs`, which sleeping moves on at once: the heartbeat probe takes no time. */
function fakeClock(offsetMs = 0): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let slept = 0;
  return {
    now: () => Date.now() + offsetMs + slept,
    sleep: async (ms) => {
      slept += ms;
    },
  };
}

const checkNamed = (result: RepoCheck, name: string): CheckResult => {
  const check = result.checks.find((candidate) => candidate.name === name);
  if (!check) throw new Error(`no check named ${name} in ${JSON.stringify(result)}`);
  return check;
};

const repoIn = async (t: import('ava').ExecutionContext): Promise<string> => path.join(await tempDir(t, 'fleet-check-'), 'repo');

test('a repo dir and a cache dir on a local disk: every check ok, with the real clock and sleep; the probe folders are gone', async (t) => {
  const repoDir = await repoIn(t);
  const cacheDir = path.join(path.dirname(repoDir), 'cache');
  const result = await checkRepo(repoDir, { cacheDir });
  t.deepEqual(
    result.checks.map((check) => check.name),
    [...NAMES, ...CACHE_NAMES],
  );
  t.true(result.ok, JSON.stringify(result, null, 2));
  t.like(result, { repoDir, cacheDir });
  t.true(result.checks.every((check) => check.fix === undefined));
  t.regex(checkNamed(result, 'rename-file').detail, /both work and show the new bytes at once/);
  t.regex(checkNamed(result, 'rename-onto-non-empty').detail, /fails with (ENOTEMPTY|EEXIST) and leaves it intact/);
  t.regex(checkNamed(result, 'cache-filesystem').detail, /a local filesystem$/);
  t.regex(checkNamed(result, 'heartbeat').detail, /moved by/);
  t.deepEqual((await readdir(repoDir)).sort(), ['.locks', '.staging']);
  t.deepEqual(await readdir(path.join(repoDir, '.staging')), []);
  t.deepEqual(await readdir(path.join(repoDir, '.locks')), []);
  t.deepEqual(await readdir(path.join(cacheDir, '.staging')), []);
});

test('without a cache dir only the shared repo is checked', async (t) => {
  const result = await checkRepo(await repoIn(t), fakeClock());
  t.deepEqual(
    result.checks.map((check) => check.name),
    NAMES,
  );
});

test('a cache dir on a network filesystem is a warning with the fix', async (t) => {
  const repoDir = await repoIn(t);
  const cacheDir = path.join(path.dirname(repoDir), 'cache');
  const mounts = `30 1 0:50 / / rw,relatime - ext4 /dev/vda rw\n31 30 0:51 / ${cacheDir} rw,relatime - nfs4 10.0.0.5:/export rw,vers=4.2,noac\n`;
  const result = await checkRepo(repoDir, { ...fakeClock(), cacheDir, readMountInfo: async () => mounts });
  t.like(checkNamed(result, 'cache-filesystem'), { ok: false, fix: 'point --cache-dir (WORKER_CACHE_DIR) at a local disk; on Kubernetes, an emptyDir volume' });
  t.regex(checkNamed(result, 'cache-filesystem').detail, /^nfs4 at .*cache: a network filesystem/);
  t.deepEqual(
    result.checks.filter((check) => !check.ok).map((check) => check.name),
    ['cache-filesystem'],
  );
});

test('the filesystem check reads the mount table it is given', async (t) => {
  const nfs = '30 1 0:50 / / rw,relatime - nfs4 10.0.0.5:/export rw,vers=4.2,hard,proto=tcp\n';
  const result = await checkRepo(await repoIn(t), { ...fakeClock(), readMountInfo: async () => nfs });
  t.false(result.ok);
  t.like(checkNamed(result, 'filesystem'), { ok: false, fix: "remount with -o noac (or actimeo=0); on Kubernetes, in the PersistentVolume's mountOptions" });
  t.deepEqual(
    result.checks.filter((check) => !check.ok).map((check) => check.name),
    ['filesystem'],
  );
});

test('no mount table: the filesystem is unknown, which is no warning', async (t) => {
  const result = await checkRepo(await repoIn(t), { ...fakeClock(), readMountInfo: async () => undefined });
  t.true(result.ok);
  t.regex(checkNamed(result, 'filesystem').detail, /^unknown/);
});

test('with the install lock off, .locks is neither checked nor created', async (t) => {
  const repoDir = await repoIn(t);
  const result = await checkRepo(repoDir, { ...fakeClock(), lockRepo: false });
  t.deepEqual(
    result.checks.map((check) => check.name),
    NAMES.filter((name) => name !== 'locks-dir'),
  );
  t.deepEqual(await readdir(repoDir), ['.staging']);
});

test('a file where .locks should be: a warning with a fix; the other checks still run', async (t) => {
  const repoDir = await repoIn(t);
  await mkdir(repoDir);
  await writeFile(path.join(repoDir, '.locks'), 'in the way');
  const result = await checkRepo(repoDir, fakeClock());
  t.false(result.ok);
  const locks = checkNamed(result, 'locks-dir');
  t.false(locks.ok);
  t.true(locks.detail.startsWith(`${path.join(repoDir, '.locks')} cannot be created or written (EEXIST`), locks.detail);
  t.is(locks.fix, `move the file that is in the way of ${path.join(repoDir, '.locks')}`);
  t.deepEqual(
    result.checks.filter((check) => !check.ok).map((check) => check.name),
    ['locks-dir'],
  );
});

test('an unusable .staging: a warning, and the probes that run inside it are skipped', async (t) => {
  const repoDir = await repoIn(t);
  await mkdir(repoDir);
  await writeFile(path.join(repoDir, '.staging'), 'in the way');
  const result = await checkRepo(repoDir, fakeClock());
  t.deepEqual(
    result.checks.map((check) => check.name),
    ['filesystem', 'locks-dir', 'staging-dir'],
  );
  t.like(checkNamed(result, 'staging-dir'), { ok: false });
  t.regex(checkNamed(result, 'staging-dir').detail, /; the probes that run inside it were skipped$/);
});

test('a heartbeat whose mtime does not move is a warning', async (t) => {
  const frozen = { now: () => 1_700_000_000_000, sleep: async () => undefined };
  const result = await checkRepo(await repoIn(t), frozen);
  t.like(checkNamed(result, 'heartbeat'), { ok: false });
  t.regex(checkNamed(result, 'heartbeat').detail, /stayed at 2023-11-14T22:13:20.000Z/);
  t.false(result.ok);
});

test('a failing probe is a warning, and the probe folder is removed all the same', async (t) => {
  const repoDir = await repoIn(t);
  const failingSleep = async (): Promise<void> => {
    throw new Error('interrupted');
  };
  const result = await checkRepo(repoDir, { now: Date.now, sleep: failingSleep });
  t.like(checkNamed(result, 'heartbeat'), { ok: false, detail: 'the probe failed: interrupted' });
  t.truthy(checkNamed(result, 'heartbeat').fix);
  t.deepEqual(await readdir(path.join(repoDir, '.staging')), []);
});

test("a host clock a minute behind the filesystem's: reported, and no warning", async (t) => {
  const behind = fakeClock(-60_000);
  const check = checkNamed(await checkRepo(await repoIn(t), behind), 'clock-offset');
  t.true(check.ok);
  t.regex(check.detail, /^the filesystem's clock is 60\.\d s ahead of this host's \(±\d+ ms\): harmless/);
});

test('on a local disk the clock offset is within the margin', async (t) => {
  const check = checkNamed(await checkRepo(await repoIn(t), fakeClock()), 'clock-offset');
  t.like(check, { ok: true });
  t.regex(check.detail, /^the filesystem's clock agrees with this host's \(±\d+ ms\)$/);
});

// The probes against filesystems this machine does not have, by replacing the calls they make.

const probesOn = (replaced: Partial<typeof fs>): Promise<typeof FsProbes> =>
  esmock('../src/check/fs-probes.js', { 'node:fs/promises': { ...fs, ...replaced } });

test('a rename that replaces a non-empty directory is unsafe', async (t) => {
  const probes = await probesOn({
    rename: async (from, to) => {
      await fs.rm(to, { recursive: true });
      await fs.rename(from, to);
    },
  });
  const check = await probes.renameOntoNonEmpty(await tempDir(t));
  t.false(check.ok);
  t.regex(check.detail, /^renaming a directory onto a non-empty one succeeded, replacing it: /);
  t.is(check.fix, 'put the cache dir on a local disk');
});

test('a rename that fails with a code an install does not expect is a warning', async (t) => {
  const probes = await probesOn({
    rename: async () => {
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    },
  });
  const check = await probes.renameOntoNonEmpty(await tempDir(t));
  t.false(check.ok);
  t.regex(check.detail, /fails with EIO, which the cache does not take for a lost race/);
});

test('a filesystem whose rename does not replace an existing file: a corrupt entry could not be replaced, a warning', async (t) => {
  const probes = await probesOn({
    rename: async (from, to) => {
      if (await fs.access(to).then(() => true, () => false)) throw Object.assign(new Error('EEXIST: file already exists'), { code: 'EEXIST' });
      await fs.rename(from, to);
    },
  });
  const check = await probes.renameFile(await tempDir(t));
  t.false(check.ok);
  t.regex(check.detail, /^renaming a file onto an existing one fails with EEXIST: an index entry found corrupt cannot be replaced/);
});

test('sshfs: a rename refused with EPERM is a lost race', async (t) => {
  const probes = await probesOn({
    rename: async () => {
      throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
    },
  });
  t.like(await probes.renameOntoNonEmpty(await tempDir(t)), { ok: true });
});

test('whole-second mtimes: informational; the clock margin widens to a second; the heartbeat still moves', async (t) => {
  const probes = await probesOn({
    stat: (async (file: string) => {
      const stats = await fs.stat(file);
      return { ...stats, mtimeMs: Math.floor(stats.mtimeMs / 1000) * 1000 };
    }) as typeof fs.stat,
  });
  const dir = await tempDir(t);
  const resolution = await probes.mtimeResolution(dir);
  t.like(resolution, { ok: true });
  t.regex(resolution.detail, /^whole seconds \(2023-11-14T22:13:21.250Z read back as 2023-11-14T22:13:21.000Z\): fine/);
  t.regex((await probes.clockOffset(dir, fakeClock())).detail, /, whole-second mtimes\)$/);
  t.like(await probes.heartbeat(dir, fakeClock()), { ok: true });
});

test('a filesystem that ignores utimes: the mtime probe and the heartbeat warn', async (t) => {
  const probes = await probesOn({ utimes: async () => undefined });
  const dir = await tempDir(t);
  t.like(await probes.mtimeResolution(dir), { ok: false });
  t.like(await probes.heartbeat(dir, fakeClock()), { ok: false });
});
