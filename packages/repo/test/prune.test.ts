import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { entryPath, openRepo, prune, readEntry, repoStatus, withInstallLock, silentLogger } from '../src/index.js';
import { fakeNpm } from './helpers/fake-npm.js';
import { tempDir } from './helpers/temp-dir.js';

const DAY = 24 * 3600_000;

/** Takes the lock of `alias` as an installer would; resolves once it is held. */
async function holdLock(repoDir: string, alias: string, workerId: string): Promise<{ release(): Promise<void> }> {
  let release: () => void = () => undefined;
  let acquired: () => void = () => undefined;
  const isHeld = new Promise<void>((resolve) => (acquired = resolve));
  const held = withInstallLock(
    repoDir,
    alias,
    silentLogger,
    () => {
      acquired();
      return new Promise<void>((resolve) => (release = resolve));
    },
    { workerId },
  );
  await isHeld;
  return {
    release: () => {
      release();
      return held;
    },
  };
}

/** A shared repo with `aliases` published by one host, each last used `ageDays` ago. */
async function publishedRepo(t: ExecutionContext, ages: Record<string, number>): Promise<{ root: string; repoDir: string }> {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'shared');
  const repo = openRepo({ repoDir, cacheDir: path.join(root, 'cache'), npm: fakeNpm(), workerId: 'w-a' });
  t.teardown(() => repo.close());
  for (const [specifier, ageDays] of Object.entries(ages)) {
    const { alias } = await repo.ensure(specifier);
    const then = new Date(Date.now() - ageDays * DAY);
    await utimes(entryPath(repoDir, alias), then, then);
  }
  return { root, repoDir };
}

test('status lists every version with its archive, who installed it and when it was last used; locks, staging, the cache', async (t) => {
  const { root, repoDir } = await publishedRepo(t, { 'a@1.0.0': 40, '@scope/b@2.0.0': 1 });
  const cacheDir = path.join(root, 'cache');
  await mkdir(path.join(repoDir, '.staging'), { recursive: true });
  await writeFile(path.join(repoDir, '.staging', 'c_1.0.0~other~42~dead.tgz'), 'half');
  const lock = await holdLock(repoDir, 'c_1.0.0', 'w-c');
  const status = await repoStatus(repoDir, cacheDir);
  await lock.release();

  t.deepEqual(
    status.adaptors.map((adaptor) => adaptor.alias),
    ['@scope/b_2.0.0', 'a_1.0.0'],
  );
  const a = status.adaptors.find((adaptor) => adaptor.alias === 'a_1.0.0');
  t.like(a, { entry: { name: 'a', version: '1.0.0', installedBy: { worker: 'w-a' } } });
  t.true(Date.now() - Date.parse(a?.lastUsedAt ?? '') > 39 * DAY);
  t.is(a?.problem, undefined);
  t.is(status.files, 4, 'one archive and one entry per version');
  t.true(status.archiveBytes > 0);
  t.like(status.locks, [{ alias: 'c_1.0.0', holder: { workerId: 'w-c', purpose: 'install' } }]);
  t.deepEqual(
    status.staged.map((staged) => staged.name),
    ['c_1.0.0~other~42~dead.tgz'],
  );
  t.like(status.cache, { cacheDir, adaptors: 2 });
  t.deepEqual([status.orphanArchives, status.legacyFolders], [[], 0]);
});

test('status reports a version whose archive is gone, and folders of the layout before archives', async (t) => {
  const { repoDir } = await publishedRepo(t, { 'a@1.0.0': 0 });
  const found = await readEntry(repoDir, 'a_1.0.0');
  if (found.state !== 'found') return t.fail();
  await writeFile(path.join(repoDir, 'adaptors', found.entry.archive), 'x');
  await mkdir(path.join(repoDir, 'node_modules', '@openfn', 'language-common_3.3.4'), { recursive: true });
  await mkdir(path.join(repoDir, 'node_modules', 'language-fixture_1.0.0'), { recursive: true });
  const status = await repoStatus(repoDir);
  t.regex(status.adaptors[0]?.problem ?? '', /^its archive has 1 bytes where the index says \d+$/);
  t.is(status.legacyFolders, 2);
});

test('prune removes what was unused for the duration, entry and archive, and keeps the rest; a dry run removes nothing', async (t) => {
  const { repoDir } = await publishedRepo(t, { 'old@1.0.0': 40, 'recent@1.0.0': 2 });
  const dry = await prune(repoDir, { unusedForMs: 30 * DAY, dryRun: true });
  t.deepEqual(
    dry.removed.map((removed) => removed.alias),
    ['old_1.0.0'],
  );
  t.is((await readEntry(repoDir, 'old_1.0.0')).state, 'found', 'a dry run removes nothing');

  const result = await prune(repoDir, { unusedForMs: 30 * DAY });
  t.deepEqual(
    result.removed.map((removed) => removed.alias),
    ['old_1.0.0'],
  );
  t.is((await readEntry(repoDir, 'old_1.0.0')).state, 'absent');
  t.is((await readEntry(repoDir, 'recent_1.0.0')).state, 'found');
  t.deepEqual((await readdir(path.join(repoDir, 'adaptors'))).filter((file) => file.startsWith('old_')), [], 'its archive is gone too');
});

test('a version whose lock is held (being installed) is skipped, not waited for; the others are pruned', async (t) => {
  const { repoDir } = await publishedRepo(t, { 'busy@1.0.0': 40, 'idle@1.0.0': 40 });
  const lock = await holdLock(repoDir, 'busy_1.0.0', 'w-b');
  const result = await prune(repoDir, { unusedForMs: 30 * DAY });
  await lock.release();
  t.deepEqual(
    result.removed.map((removed) => removed.alias),
    ['idle_1.0.0'],
  );
  t.like(result.skipped, [{ alias: 'busy_1.0.0' }]);
  t.regex(result.skipped[0]?.reason ?? '', /^its lock is held \(by worker w-b, pid \d+ on .*\)$/);
  t.is((await readEntry(repoDir, 'busy_1.0.0')).state, 'found');
});

test('a pruned version is installed again by the next host that needs it; the host that had it keeps its copy', async (t) => {
  const { root, repoDir } = await publishedRepo(t, { 'a@1.0.0': 40 });
  await prune(repoDir, { unusedForMs: 30 * DAY });
  const had = openRepo({ repoDir, cacheDir: path.join(root, 'cache'), npm: fakeNpm() });
  t.true(await had.isReady('a_1.0.0'));
  const npm = fakeNpm();
  const other = openRepo({ repoDir, cacheDir: path.join(root, 'cache-b'), npm });
  t.is((await other.ensure('a@1.0.0')).outcome, 'installed');
  t.is(npm.installs().length, 1);
  await Promise.all([had.close(), other.close()]);
});

test('prune clears orphan archives and stages hours old, and with --legacy the old layout', async (t) => {
  const { repoDir } = await publishedRepo(t, { 'a@1.0.0': 0 });
  const old = new Date(Date.now() - 2 * 3600_000);
  const orphan = path.join(repoDir, 'adaptors', 'a_1.0.0.0123456789abcdef.tgz');
  const stage = path.join(repoDir, '.staging', 'a_1.0.0~other~1~dead.tgz');
  await writeFile(orphan, 'left by a crash');
  await writeFile(stage, 'half');
  for (const file of [orphan, stage]) await utimes(file, old, old);
  await mkdir(path.join(repoDir, 'node_modules', 'a_0.9.0'), { recursive: true });
  await writeFile(path.join(repoDir, 'package.json'), '{"dependencies": {"a_0.9.0": "npm:a@0.9.0"}}');

  const result = await prune(repoDir, { unusedForMs: 30 * DAY, legacy: true });
  t.deepEqual(result.orphans.sort(), ['a_1.0.0.0123456789abcdef.tgz', 'a_1.0.0~other~1~dead.tgz']);
  t.true(result.legacyRemoved);
  t.deepEqual((await readdir(repoDir)).sort(), ['.locks', '.staging', 'adaptors']);
  t.is((await readEntry(repoDir, 'a_1.0.0')).state, 'found', 'a version in use stays');
});
