import { readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fixtures, postinstallMarker, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import {
  NpmError,
  VersionNotFoundError,
  aliasFor,
  install,
  isInstalled,
  readIndex,
  resolveVersion,
  runNpm,
  type NpmRunner,
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

test('an ESM adaptor with conflicting dependency versions works from its final path', async (t) => {
  const repo = await tempDir(t);
  const result = await install(repo, fixtures.adaptorTwo);
  t.is(result.outcome, 'installed');
  const loaded = await loadAdaptor(repo, result.alias);
  t.is(loaded.version, '1.0.0');
  t.is(loaded.dependencies['@fleet-fixtures/util-a']?.version, '2.0.0');
  t.is(loaded.dependencies['@fleet-fixtures/util-b']?.dependencies['@fleet-fixtures/util-a']?.version, '1.0.0');
  t.deepEqual((await readIndex(repo))?.dependencies, { [result.alias]: `npm:${fixtures.adaptorTwo}` });
});

test('a CommonJS adaptor is published only after its postinstall finished', async (t) => {
  const repo = await tempDir(t);
  const result = await install(repo, fixtures.adaptorThree);
  t.true(await exists(path.join(result.path, postinstallMarker)));
  t.is((await loadAdaptor(repo, result.alias)).dependencies['@fleet-fixtures/util-b']?.version, '1.0.0');
});

test('dist-tags and ranges resolve to one exact version through the registry', async (t) => {
  t.is((await resolveVersion('language-fixture@latest')).version, '1.1.0');
  t.is((await resolveVersion('language-fixture')).version, '1.1.0');
  t.is((await resolveVersion('language-fixture@next')).version, '2.0.0-beta.1');
  t.is((await resolveVersion('language-fixture@^1.0.0')).version, '1.1.0');
  t.is((await resolveVersion('language-fixture@~1.0.0')).version, '1.0.0');
  await t.throwsAsync(resolveVersion('language-fixture@^7'), { instanceOf: VersionNotFoundError });

  const repo = await tempDir(t);
  const result = await install(repo, 'language-fixture@next');
  t.is(result.alias, aliasFor(fixtures.languageFixtureNext));
  t.true(await isInstalled(repo, result.alias));
});

test('an unknown package fails with npm’s reason and leaves nothing behind', async (t) => {
  const repo = await tempDir(t);
  const error = await t.throwsAsync(install(repo, '@fleet-fixtures/no-such-adaptor@1.0.0'), { instanceOf: NpmError });
  t.regex(error?.message ?? '', /404|not found/i);
  t.deepEqual(await readdir(path.join(repo, '.staging')), []);
  t.false(await exists(path.join(repo, 'node_modules')));
});

test('an aborted install stops npm and leaves nothing behind', async (t) => {
  const repo = await tempDir(t);
  const controller = new AbortController();
  // Abort once npm is running (adaptor-slow's postinstall keeps it busy for seconds).
  const npm: NpmRunner = (args, options) => {
    const running = runNpm(args, options);
    if (args[0] === 'install') setImmediate(() => controller.abort(new Error('shutting down')));
    return running;
  };
  await t.throwsAsync(install(repo, fixtures.adaptorSlow, { signal: controller.signal, npm }), {
    message: 'shutting down',
  });
  t.deepEqual(await readdir(path.join(repo, '.staging')), []);
  t.false(await isInstalled(repo, aliasFor(fixtures.adaptorSlow)));
});
