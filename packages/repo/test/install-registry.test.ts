import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { fixtures, postinstallMarker, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import {
  IncompleteBuildError,
  NpmError,
  VersionNotFoundError,
  aliasFor,
  isInstalled,
  openRepo,
  readEntry,
  readIndex,
  resolveVersion,
  runNpm,
  type NpmRunner,
  type RepoOptions,
} from '../src/index.js';
import { exists } from '../src/util/exists.js';
import { loadAdaptor } from './helpers/load-adaptor.js';
import { tempDir } from './helpers/temp-dir.js';

// The install flow with real npm against the local registry, one process.

let registry: LocalRegistry;

test.before(async () => {
  registry = await startRegistry();
  Object.assign(process.env, registry.env);
});

test.after.always(() => registry?.stop());

async function repoIn(t: ExecutionContext, options: Partial<RepoOptions> = {}) {
  const root = await tempDir(t);
  const repo = openRepo({ repoDir: path.join(root, 'shared'), cacheDir: path.join(root, 'cache'), ...options });
  t.teardown(() => repo.close());
  return repo;
}

test('an ESM adaptor with conflicting dependency versions works from its folder in the cache', async (t) => {
  const repo = await repoIn(t);
  const result = await repo.ensure(fixtures.adaptorTwo);
  t.is(result.outcome, 'installed');
  const loaded = await loadAdaptor(repo.cacheDir, result.alias);
  t.is(loaded.version, '1.0.0');
  t.is(loaded.dependencies['@fleet-fixtures/util-a']?.version, '2.0.0');
  t.is(loaded.dependencies['@fleet-fixtures/util-b']?.dependencies['@fleet-fixtures/util-a']?.version, '1.0.0');
  t.deepEqual((await readIndex(repo.cacheDir))?.dependencies, { [result.alias]: `npm:${fixtures.adaptorTwo}` });
});

test('install scripts do not run unless asked for; when asked for, the adaptor is published only after its postinstall finished', async (t) => {
  const plain = await repoIn(t);
  const withoutScripts = await plain.ensure(fixtures.adaptorThree);
  t.false(await exists(path.join(withoutScripts.path, postinstallMarker)));
  t.is((await loadAdaptor(plain.cacheDir, withoutScripts.alias)).dependencies['@fleet-fixtures/util-b']?.version, '1.0.0');

  const scripted = await repoIn(t, { installScripts: true });
  const withScripts = await scripted.ensure(fixtures.adaptorThree);
  t.true(await exists(path.join(withScripts.path, postinstallMarker)));
});

test('dist-tags and ranges resolve to one exact version through the registry', async (t) => {
  t.is((await resolveVersion('language-fixture@latest')).version, '1.1.0');
  t.is((await resolveVersion('language-fixture')).version, '1.1.0');
  t.is((await resolveVersion('language-fixture@next')).version, '2.0.0-beta.1');
  t.is((await resolveVersion('language-fixture@^1.0.0')).version, '1.1.0');
  t.is((await resolveVersion('language-fixture@~1.0.0')).version, '1.0.0');
  await t.throwsAsync(resolveVersion('language-fixture@^7'), { instanceOf: VersionNotFoundError });

  const repo = await repoIn(t);
  const result = await repo.ensure('language-fixture@next');
  t.is(result.alias, aliasFor(fixtures.languageFixtureNext));
  t.true(await isInstalled(repo.cacheDir, result.alias));
});

test('an unknown package fails with npm’s reason and leaves nothing behind', async (t) => {
  const repo = await repoIn(t);
  const error = await t.throwsAsync(repo.ensure('@fleet-fixtures/no-such-adaptor@1.0.0'), { instanceOf: NpmError });
  t.regex(error?.message ?? '', /404|not found/i);
  t.deepEqual(await readdir(path.join(repo.cacheDir, '.staging')), []);
  t.false(await exists(path.join(repo.cacheDir, 'node_modules')));
  t.false(await exists(path.join(repo.repoDir, 'adaptors')));
});

test('a dependency left with a cut-off manifest (as a full disk leaves one while npm exits 0) is caught by npm ls; nothing is published', async (t) => {
  const damaging: NpmRunner = async (args, options) => {
    const result = await runNpm(args, options);
    if (args[0] === 'install') {
      const prefix = args[args.indexOf('--prefix') + 1] as string;
      const nested = path.join(prefix, 'lib', 'node_modules', '@fleet-fixtures', 'adaptor-two', 'node_modules', '@fleet-fixtures', 'util-b', 'package.json');
      await writeFile(nested, '{"name": "@fleet-fixtures/util-b", "vers');
    }
    return result;
  };
  const repo = await repoIn(t, { npm: damaging });
  await t.throwsAsync(repo.ensure(fixtures.adaptorTwo), {
    instanceOf: IncompleteBuildError,
    message: /npm ls finds the installed tree incomplete \(invalid: .*util-b/,
  });
  t.is((await readEntry(repo.repoDir, aliasFor(fixtures.adaptorTwo))).state, 'absent');
  t.deepEqual(await readdir(path.join(repo.cacheDir, '.staging')), []);
});
