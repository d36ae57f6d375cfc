import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { InvalidSpecifierError, NpmError, VersionNotFoundError, install, isInstalled, readIndex } from '../src/index.js';
import type { NpmRunner } from '../src/index.js';
import { fakeNpm } from './helpers/fake-npm.js';
import { tempDir } from './helpers/temp-dir.js';

// Unit tests of the install flow with npm replaced; test/install-registry.test.ts
// covers real npm against a local registry.

test('installs, indexes and reports an exact version', async (t) => {
  const repo = await tempDir(t);
  const npm = fakeNpm();
  const result = await install(repo, '@scope/adaptor@1.2.3', { npm });
  t.is(result.outcome, 'installed');
  t.is(result.alias, '@scope/adaptor_1.2.3');
  t.is(result.path, path.join(repo, 'node_modules', '@scope', 'adaptor_1.2.3'));
  t.true(await isInstalled(repo, '@scope/adaptor_1.2.3'));
  t.deepEqual((await readIndex(repo))?.dependencies, { '@scope/adaptor_1.2.3': 'npm:@scope/adaptor@1.2.3' });
  t.deepEqual(await readdir(path.join(repo, '.staging')), [], 'the staging folder is cleaned up');
  t.is(npm.calls.length, 1);
});

test('npm runs with an argument array, in the staging folder, as a global install', async (t) => {
  const repo = await tempDir(t);
  const npm = fakeNpm();
  await install(repo, 'adaptor@1.0.0', { npm });
  const args = npm.calls[0] ?? [];
  t.is(args[0], 'install');
  t.true(args.includes('--global'));
  const prefix = args[args.indexOf('--prefix') + 1] ?? '';
  t.is(path.dirname(prefix), path.join(repo, '.staging'));
  t.is(args.at(-1), 'adaptor@1.0.0');
});

test('a tag is resolved through the registry before anything is installed', async (t) => {
  const repo = await tempDir(t);
  const npm = fakeNpm({ adaptor: ['2.0.0-beta.1'] });
  const result = await install(repo, 'adaptor@next', { npm });
  t.is(result.alias, 'adaptor_2.0.0-beta.1');
  t.deepEqual(npm.calls[0], ['view', 'adaptor@next', 'version', '--json']);
});

test('a range resolves to the highest matching version', async (t) => {
  const repo = await tempDir(t);
  const npm = fakeNpm({ adaptor: ['1.0.0', '1.4.0', '1.2.0'] });
  t.is((await install(repo, 'adaptor@^1.0.0', { npm })).version, '1.4.0');
});

test('an unknown version fails before anything is written', async (t) => {
  const repo = path.join(await tempDir(t), 'repo');
  await t.throwsAsync(install(repo, 'adaptor@^9', { npm: fakeNpm({ adaptor: [] }) }), {
    instanceOf: VersionNotFoundError,
  });
  await t.throwsAsync(readdir(repo), { code: 'ENOENT' });
});

test('an invalid specifier fails before anything is written and without npm', async (t) => {
  const repo = path.join(await tempDir(t), 'repo');
  const npm = fakeNpm();
  for (const bad of ['file:../x', '../x@1.0.0', 'x@1.0.0;ls', 'git+https://example.com/x.git']) {
    await t.throwsAsync(install(repo, bad, { npm }), { instanceOf: InvalidSpecifierError });
  }
  t.is(npm.calls.length, 0);
  await t.throwsAsync(readdir(repo), { code: 'ENOENT' });
});

test('an already installed adaptor is not installed again', async (t) => {
  const repo = await tempDir(t);
  const npm = fakeNpm();
  await install(repo, 'adaptor@1.0.0', { npm });
  t.is((await install(repo, 'adaptor@1.0.0', { npm })).outcome, 'already-installed');
  t.is(npm.calls.length, 1);
});

test('a published folder without an index entry is repaired without npm', async (t) => {
  const repo = await tempDir(t);
  const npm = fakeNpm();
  await install(repo, 'adaptor@1.0.0', { npm });
  await writeFile(path.join(repo, 'package.json'), JSON.stringify({ dependencies: {} }));
  t.false(await isInstalled(repo, 'adaptor_1.0.0'));
  t.is((await install(repo, 'adaptor@1.0.0', { npm })).outcome, 'repaired');
  t.true(await isInstalled(repo, 'adaptor_1.0.0'));
  t.is(npm.calls.length, 1);
});

test('losing the publish race discards the copy and counts as success', async (t) => {
  const repo = await tempDir(t);
  const inner = fakeNpm();
  // Another installer publishes while our npm is still running.
  const racing: NpmRunner = async (args, options) => {
    const target = path.join(repo, 'node_modules', 'adaptor_1.0.0');
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, 'package.json'), JSON.stringify({ name: 'adaptor', version: '1.0.0' }));
    return inner(args, options);
  };
  const result = await install(repo, 'adaptor@1.0.0', { npm: racing });
  t.is(result.outcome, 'lost-race');
  t.true(await isInstalled(repo, 'adaptor_1.0.0'));
  t.deepEqual(await readdir(path.join(repo, '.staging')), []);
});

test('a failing npm leaves no staging folder and nothing published', async (t) => {
  const repo = await tempDir(t);
  const failing: NpmRunner = async (args) => {
    throw new NpmError(args, 1, 'npm error code E404\nnpm error 404 Not Found');
  };
  const error = await t.throwsAsync(install(repo, 'adaptor@1.0.0', { npm: failing }), { instanceOf: NpmError });
  t.regex(error?.message ?? '', /E404/);
  t.deepEqual(await readdir(path.join(repo, '.staging')), []);
  t.false(await isInstalled(repo, 'adaptor_1.0.0'));
});

test('npm leaving a different version behind is not published', async (t) => {
  const repo = await tempDir(t);
  const inner = fakeNpm();
  const wrong: NpmRunner = (args, options) => inner([...args.slice(0, -1), 'adaptor@9.9.9'], options);
  await t.throwsAsync(install(repo, 'adaptor@1.0.0', { npm: wrong }), { message: /instead of adaptor@1.0.0/ });
  await t.throwsAsync(readdir(path.join(repo, 'node_modules', 'adaptor_1.0.0')), { code: 'ENOENT' });
});

test('a final path occupied by something that is not an adaptor is reported, not overwritten', async (t) => {
  const repo = await tempDir(t);
  const target = path.join(repo, 'node_modules', 'adaptor_1.0.0');
  await mkdir(target, { recursive: true });
  await writeFile(path.join(target, 'stray-file'), '');
  await t.throwsAsync(install(repo, 'adaptor@1.0.0', { npm: fakeNpm() }), { message: /has no package.json/ });
  t.deepEqual(await readdir(target), ['stray-file']);
});
