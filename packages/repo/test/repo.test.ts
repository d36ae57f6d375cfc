import { appendFile, mkdir, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import {
  entryPath,
  IncompleteBuildError,
  InvalidSpecifierError,
  isInstalled,
  NpmError,
  openRepo,
  readEntry,
  readIndex,
  VersionNotFoundError,
  type NpmRunner,
  type RepoOptions,
} from '../src/index.js';
import { fakeNpm } from './helpers/fake-npm.js';
import { tempDir } from './helpers/temp-dir.js';

// Unit tests of the repo's flow with npm replaced; test/install-registry.test.ts
// covers real npm against a local registry. Each "host" is its own cache dir
// beside one shared repo dir.

interface Fleet {
  root: string;
  repoDir: string;
  /** A process on host `name`: its own cache dir, the fleet's repo dir. */
  host(name: string, options?: Partial<RepoOptions>): ReturnType<typeof openRepo>;
}

async function fleet(t: ExecutionContext): Promise<Fleet> {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'shared');
  return {
    root,
    repoDir,
    host: (name, options = {}) => {
      const repo = openRepo({ repoDir, cacheDir: path.join(root, `cache-${name}`), workerId: `w-${name}`, ...options });
      t.teardown(() => repo.close());
      return repo;
    },
  };
}

const sharedFiles = async (repoDir: string): Promise<string[]> => (await readdir(path.join(repoDir, 'adaptors'), { recursive: true })).sort();

test('builds, publishes one archive and its entry, and puts the adaptor in the local cache', async (t) => {
  const { repoDir, root, host } = await fleet(t);
  const npm = fakeNpm();
  const result = await host('a', { npm }).ensure('@scope/adaptor@1.2.3');
  t.is(result.outcome, 'installed');
  t.is(result.alias, '@scope/adaptor_1.2.3');
  t.is(result.path, path.join(root, 'cache-a', 'node_modules', '@scope', 'adaptor_1.2.3'));
  t.true(await isInstalled(path.join(root, 'cache-a'), '@scope/adaptor_1.2.3'));
  t.deepEqual((await readIndex(path.join(root, 'cache-a')))?.dependencies, { '@scope/adaptor_1.2.3': 'npm:@scope/adaptor@1.2.3' });

  const files = await sharedFiles(repoDir);
  t.is(files.length, 3, `the scope folder, one archive and one entry: ${files.join(', ')}`);
  t.regex(files[1] ?? '', /^@scope\/adaptor_1\.2\.3\.[0-9a-f]{16}\.tgz$/);
  const found = await readEntry(repoDir, '@scope/adaptor_1.2.3');
  t.is(found.state, 'found');
  if (found.state !== 'found') return;
  t.like(found.entry, { name: '@scope/adaptor', version: '1.2.3', files: 3, installScripts: false, installedBy: { worker: 'w-a' } });
  t.is(found.entry.size, (await stat(path.join(repoDir, 'adaptors', files[1] as string))).size);
  t.deepEqual(await readdir(path.join(repoDir, '.staging')), [], 'nothing left in the shared staging folder');
  t.deepEqual(await readdir(path.join(root, 'cache-a', '.staging')), [], 'nor in the local one');
  t.is(npm.installs().length, 1);
});

test('npm runs with an argument array, in a stage of the LOCAL cache, as a global install without install scripts', async (t) => {
  const { root, host } = await fleet(t);
  const npm = fakeNpm();
  await host('a', { npm }).ensure('adaptor@1.0.0');
  const args = npm.calls[0] ?? [];
  t.is(args[0], 'install');
  t.true(args.includes('--global'));
  t.true(args.includes('--ignore-scripts'));
  t.is(path.dirname(args[args.indexOf('--prefix') + 1] ?? ''), path.join(root, 'cache-a', '.staging'));
  t.is(args.at(-1), 'adaptor@1.0.0');

  const withScripts = fakeNpm();
  await host('b', { npm: withScripts, installScripts: true, lockRepo: false }).ensure('other@1.0.0');
  t.false(withScripts.calls[0]?.includes('--ignore-scripts'));
});

test('a second host materializes what the first built: no npm, the same files', async (t) => {
  const { root, host } = await fleet(t);
  await host('a', { npm: fakeNpm() }).ensure('adaptor@1.0.0');
  const npm = fakeNpm();
  const result = await host('b', { npm }).ensure('adaptor@1.0.0');
  t.is(result.outcome, 'materialized');
  t.is(npm.installs().length, 0);
  const read = (cache: string) => readFile(path.join(root, cache, 'node_modules', 'adaptor_1.0.0', 'lib', 'value.js'), 'utf8');
  t.is(await read('cache-b'), await read('cache-a'));
  t.true(await isInstalled(path.join(root, 'cache-b'), 'adaptor_1.0.0'));
});

test('a ready adaptor takes the fast path: no npm, and the same result again', async (t) => {
  const { host } = await fleet(t);
  const npm = fakeNpm();
  const repo = host('a', { npm });
  await repo.ensure('adaptor@1.0.0');
  t.true(await repo.isReady('adaptor_1.0.0'));
  t.is((await repo.ensure('adaptor@1.0.0')).outcome, 'already-installed');
  t.is(npm.installs().length, 1);
});

test('a tag is resolved through the registry before anything is installed; a range to its highest match', async (t) => {
  const { host } = await fleet(t);
  const npm = fakeNpm({ adaptor: ['2.0.0-beta.1'], other: ['1.0.0', '1.4.0', '1.2.0'] });
  const repo = host('a', { npm });
  t.is((await repo.ensure('adaptor@next')).alias, 'adaptor_2.0.0-beta.1');
  t.deepEqual(npm.calls[0], ['view', 'adaptor@next', 'version', '--json']);
  t.is((await repo.ensure('other@^1.0.0')).version, '1.4.0');
});

test('an unknown version, or an invalid specifier, fails before anything is written (and the latter without npm)', async (t) => {
  const { root, repoDir, host } = await fleet(t);
  const npm = fakeNpm({ adaptor: [] });
  const repo = host('a', { npm });
  await t.throwsAsync(repo.ensure('adaptor@^9'), { instanceOf: VersionNotFoundError });
  for (const bad of ['file:../x', '../x@1.0.0', 'x@1.0.0;ls', 'git+https://example.com/x.git']) {
    await t.throwsAsync(repo.ensure(bad), { instanceOf: InvalidSpecifierError });
  }
  t.deepEqual(npm.calls, [['view', 'adaptor@^9', 'version', '--json']], 'only the lookup of ^9');
  await t.throwsAsync(readdir(repoDir), { code: 'ENOENT' });
  await t.throwsAsync(readdir(path.join(root, 'cache-a')), { code: 'ENOENT' });
});

test('losing the publish race: the other worker’s entry stands, no second archive, this host uses its own build', async (t) => {
  const { repoDir, host } = await fleet(t);
  const winner = host('b', { npm: fakeNpm(), lockRepo: false });
  const inner = fakeNpm();
  // Another worker publishes while our npm is still running.
  const racing: NpmRunner = async (args, options) => {
    await winner.ensure('adaptor@1.0.0');
    return inner(args, options);
  };
  const result = await host('a', { npm: racing, lockRepo: false }).ensure('adaptor@1.0.0');
  t.is(result.outcome, 'lost-race');
  const found = await readEntry(repoDir, 'adaptor_1.0.0');
  t.is(found.state === 'found' && found.entry.installedBy.worker, 'w-b');
  t.is((await sharedFiles(repoDir)).filter((file) => file.endsWith('.tgz')).length, 1);
});

for (const [what, npm, expected] of [
  ['a failing npm', (async (args) => { throw new NpmError(args, 1, 'npm error code E404\nnpm error 404 Not Found'); }) as NpmRunner, { instanceOf: NpmError, message: /E404/ }],
  ['npm leaving another version behind', ((inner: NpmRunner): NpmRunner => (args, options) => inner([...args.slice(0, -1), 'adaptor@9.9.9'], options))(fakeNpm()), { instanceOf: IncompleteBuildError, message: /npm installed adaptor@9\.9\.9 instead/ }],
  ['npm warning that it could not write a file (a full disk)', ((inner: NpmRunner): NpmRunner => async (args, options) => ({ ...(await inner(args, options)), stderr: 'npm warn tar TAR_ENTRY_ERROR ENOSPC: no space left on device, write' }))(fakeNpm()), { instanceOf: IncompleteBuildError, message: /could not write every file \(npm warn tar TAR_ENTRY_ERROR ENOSPC/ }],
  ['npm ls finding the installed tree incomplete', ((inner: NpmRunner): NpmRunner => async (args, options) => {
    if (args[0] !== 'ls') return inner(args, options);
    throw new NpmError(args, 1, 'npm error code ELSPROBLEMS\nnpm error invalid: dep@ /x/node_modules/dep\nnpm error missing: other@^1.0.0, required by adaptor@1.0.0');
  })(fakeNpm()), { instanceOf: IncompleteBuildError, message: /npm ls finds the installed tree incomplete \(invalid: dep@ \/x\/node_modules\/dep; missing: other@\^1\.0\.0, required by adaptor@1\.0\.0\)/ }],
] as const) {
  test(`${what}: the run's error says so, nothing is published, no stage is left`, async (t) => {
    const { root, repoDir, host } = await fleet(t);
    await t.throwsAsync(host('a', { npm: npm as NpmRunner }).ensure('adaptor@1.0.0'), expected as object);
    t.is((await readEntry(repoDir, 'adaptor_1.0.0')).state, 'absent');
    await t.throwsAsync(readdir(path.join(repoDir, 'adaptors')), { code: 'ENOENT' });
    t.deepEqual(await readdir(path.join(root, 'cache-a', '.staging')), []);
    t.false(await isInstalled(path.join(root, 'cache-a'), 'adaptor_1.0.0'));
  });
}

test('a build that does not import is not published', async (t) => {
  const { repoDir, host } = await fleet(t);
  const inner = fakeNpm();
  const broken: NpmRunner = async (args, options) => {
    const result = await inner(args, options);
    const prefix = args[args.indexOf('--prefix') + 1] as string;
    if (args[0] === 'install') await writeFile(path.join(prefix, 'lib', 'node_modules', 'adaptor', 'lib', 'value.js'), 'module.exports = (;');
    return result;
  };
  await t.throwsAsync(host('a', { npm: broken }).ensure('adaptor@1.0.0'), {
    instanceOf: IncompleteBuildError,
    message: /importing it in a separate process failed: .*SyntaxError/,
  });
  t.is((await readEntry(repoDir, 'adaptor_1.0.0')).state, 'absent');
});

/** Publishes adaptor@1.0.0 from host a and returns the path of its archive. */
async function published(f: Fleet): Promise<string> {
  await f.host('a', { npm: fakeNpm() }).ensure('adaptor@1.0.0');
  const found = await readEntry(f.repoDir, 'adaptor_1.0.0');
  if (found.state !== 'found') throw new Error('not published');
  return path.join(f.repoDir, 'adaptors', found.entry.archive);
}

for (const [what, damage, reason] of [
  ['a truncated archive', (file: string) => truncate(file, 100), /has 100 bytes where the index says/],
  ['a tampered archive of the right size', async (file: string) => {
    const data = await readFile(file);
    data[data.length - 10] = (data[data.length - 10] ?? 0) ^ 0xff;
    await writeFile(file, data);
  }, /does not match the hash in the index/],
  ['a missing archive', (file: string) => rm(file), /is missing/],
  ['a malformed index entry', async (file: string) => writeFile(path.join(path.dirname(file), 'adaptor_1.0.0.json'), '{"format": 1}'), /index entry is malformed/],
] as const) {
  test(`${what} in the shared repo is detected, never extracted, and replaced by a new build`, async (t) => {
    const f = await fleet(t);
    const archive = await published(f);
    await damage(archive);
    const warnings: string[] = [];
    const npm = fakeNpm();
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (line: string) => warnings.push(line) };
    const result = await f.host('b', { npm, logger }).ensure('adaptor@1.0.0');
    t.is(result.outcome, 'installed', 'host b built it again');
    t.is(npm.installs().length, 1);
    t.regex(warnings[0] ?? '', reason);
    t.regex(warnings[0] ?? '', /^adaptor_1\.0\.0 in the shared repo cannot be used \(.*\); installing it again$/);
    const third = fakeNpm();
    t.is((await f.host('c', { npm: third }).ensure('adaptor@1.0.0')).outcome, 'materialized', 'the replacement is sound');
    t.is(third.installs().length, 0);
  });
}

test('a tampered local copy is found by the next process to use it, never used, and replaced from the shared repo', async (t) => {
  const { root, host } = await fleet(t);
  await host('a', { npm: fakeNpm() }).ensure('adaptor@1.0.0');
  const value = path.join(root, 'cache-a', 'node_modules', 'adaptor_1.0.0', 'lib', 'value.js');
  const original = await readFile(value, 'utf8');
  await appendFile(value, '\nrequire("child_process").execSync("touch /tmp/pwned");');

  const warnings: string[] = [];
  const npm = fakeNpm();
  const next = host('a', { npm, logger: { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (line) => warnings.push(line) } });
  t.false(await next.isReady('adaptor_1.0.0'), 'not ready: the copy does not match its record');
  t.regex(warnings[0] ?? '', /^The local copy of adaptor_1\.0\.0 in .* is not what was materialized \(.*\); replacing it$/);
  t.is((await next.ensure('adaptor@1.0.0')).outcome, 'materialized');
  t.is(npm.installs().length, 0);
  t.is(await readFile(value, 'utf8'), original);
});

test('something that is not an adaptor at the local final path is cleared and replaced', async (t) => {
  const { root, host } = await fleet(t);
  await host('a', { npm: fakeNpm() }).ensure('adaptor@1.0.0');
  const target = path.join(root, 'cache-b', 'node_modules', 'adaptor_1.0.0');
  await mkdir(target, { recursive: true });
  await writeFile(path.join(target, 'stray-file'), '');
  t.is((await host('b', { npm: fakeNpm() }).ensure('adaptor@1.0.0')).outcome, 'materialized');
  t.true((await readdir(target)).includes('package.json'));
  t.false((await readdir(target)).includes('stray-file'));
});

test('calls for the same adaptor in one process share one install; different ones run side by side, at most `concurrency` at once', async (t) => {
  const { host } = await fleet(t);
  const inner = fakeNpm();
  let active = 0;
  let maxActive = 0;
  const npm: NpmRunner = async (args, options) => {
    active += 1;
    maxActive = Math.max(maxActive, active);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return await inner(args, options);
    } finally {
      active -= 1;
    }
  };
  const repo = host('a', { npm, concurrency: 2 });
  const results = await Promise.all([
    ...Array.from({ length: 3 }, () => repo.ensure('same@1.0.0')),
    ...['one', 'two', 'three'].map((name) => repo.ensure(`${name}@1.0.0`)),
  ]);
  t.deepEqual(
    results.slice(0, 3).map((result) => result.outcome),
    ['installed', 'installed', 'installed'],
  );
  t.is(inner.calls.filter((args) => args.at(-1) === 'same@1.0.0').length, 1);
  t.is(maxActive, 2);
});

test('without the lock nothing is created under .locks; with it, the lock is released', async (t) => {
  const { repoDir, host } = await fleet(t);
  await host('a', { npm: fakeNpm(), lockRepo: false }).ensure('adaptor@1.0.0');
  t.false((await readdir(repoDir)).includes('.locks'));
  await host('b', { npm: fakeNpm() }).ensure('other@1.0.0');
  t.deepEqual(await readdir(path.join(repoDir, '.locks')), []);
});

test('a use is recorded in the shared repo (the entry’s mtime) at most once an hour per process', async (t) => {
  const { repoDir, host } = await fleet(t);
  await host('a', { npm: fakeNpm() }).ensure('adaptor@1.0.0');
  const entry = entryPath(repoDir, 'adaptor_1.0.0');
  const longAgo = new Date(Date.now() - 30 * 24 * 3600_000);
  await utimes(entry, longAgo, longAgo);
  const b = host('b', { npm: fakeNpm() });
  await b.ensure('adaptor@1.0.0');
  const used = await waitFor(async () => (await stat(entry)).mtimeMs > longAgo.getTime() + 1000);
  t.true(used, 'materializing is a use');
  await utimes(entry, longAgo, longAgo);
  t.true(await b.isReady('adaptor_1.0.0'));
  t.is((await stat(entry)).mtimeMs, longAgo.getTime(), 'the next use within the hour writes nothing to the shared repo');
});

test('over its size bound the cache evicts the least recently used adaptor, never one a run holds', async (t) => {
  const { root, host } = await fleet(t);
  const cacheDir = path.join(root, 'cache-a');
  const repo = host('a', { npm: fakeNpm(), cacheMaxBytes: 1 });
  await repo.ensure('first@1.0.0');
  const release = repo.retain(['first_1.0.0']);
  // Another process of the host used `first` long ago: only this process's hold keeps it.
  const old = new Date(Date.now() - 3600_000);
  await utimes(path.join(cacheDir, 'node_modules', 'first_1.0.0', '.fleet-adaptor.json'), old, old);
  await repo.ensure('second@1.0.0');
  await utimes(path.join(cacheDir, 'node_modules', 'second_1.0.0', '.fleet-adaptor.json'), old, old);
  await repo.ensure('third@1.0.0');
  t.true(await waitFor(async () => !(await isInstalled(cacheDir, 'second_1.0.0'))), 'second, unheld and least recently used, was evicted');
  t.true(await isInstalled(cacheDir, 'first_1.0.0'), 'first is held by a run');
  t.true(await isInstalled(cacheDir, 'third_1.0.0'), 'third was just used');
  release();
  t.is((await repo.ensure('second@1.0.0')).outcome, 'materialized', 'an evicted adaptor comes back from the shared repo');
});

/** Polls `condition` until it holds or 5 s pass. */
async function waitFor(condition: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}
