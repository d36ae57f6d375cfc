import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { ensureCache, readIndex, syncIndex } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

const publishFake = async (repo: string, alias: string): Promise<void> => {
  const dir = path.join(repo, 'node_modules', alias);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), '{}');
};

test('ensureCache creates the folder and an empty index, and keeps an existing one', async (t) => {
  const repo = path.join(await tempDir(t), 'nested', 'repo');
  const index = await ensureCache(repo);
  t.deepEqual(index.dependencies, {});
  await writeFile(path.join(repo, 'package.json'), JSON.stringify({ dependencies: { 'a_1.0.0': 'npm:a@1.0.0' } }));
  t.deepEqual((await ensureCache(repo)).dependencies, { 'a_1.0.0': 'npm:a@1.0.0' });
});

test('many concurrent ensureCache calls agree on one index', async (t) => {
  const repo = await tempDir(t);
  const results = await Promise.all(Array.from({ length: 20 }, () => ensureCache(repo)));
  t.true(results.every((index) => Object.keys(index.dependencies).length === 0));
  t.truthy(await readIndex(repo));
});

test('syncIndex adds every published folder, scoped or not, and keeps foreign entries', async (t) => {
  const repo = await tempDir(t);
  await writeFile(
    path.join(repo, 'package.json'),
    JSON.stringify({ name: 'old-repo', dependencies: { lodash: '^4.0.0' } }),
  );
  await publishFake(repo, '@openfn/language-common_3.3.4');
  await publishFake(repo, 'language-fixture_1.1.0');
  await publishFake(repo, 'lodash'); // a plain package from an older tool: not an alias
  await syncIndex(repo);
  const index = await readIndex(repo);
  t.is(index?.name, 'old-repo');
  t.deepEqual(index?.dependencies, {
    lodash: '^4.0.0',
    '@openfn/language-common_3.3.4': 'npm:@openfn/language-common@3.3.4',
    'language-fixture_1.1.0': 'npm:language-fixture@1.1.0',
  });
});

test('syncIndex rewrites an unreadable index from the published folders', async (t) => {
  const repo = await tempDir(t);
  await writeFile(path.join(repo, 'package.json'), '{"dependencies": ');
  await publishFake(repo, 'a_1.0.0');
  await syncIndex(repo);
  t.deepEqual((await readIndex(repo))?.dependencies, { 'a_1.0.0': 'npm:a@1.0.0' });
});

test('concurrent syncs in one process lose no entry', async (t) => {
  const repo = await tempDir(t);
  await ensureCache(repo);
  const aliases = Array.from({ length: 30 }, (_, i) => `pkg-${i}_1.0.0`);
  await Promise.all(aliases.map(async (alias) => (await publishFake(repo, alias), syncIndex(repo))));
  const raw = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8'));
  t.deepEqual(Object.keys(raw.dependencies).sort(), [...aliases].sort());
});
