import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import esmock from 'esmock';
import { publishFolder } from '../src/cache/publish-folder.js';
import { tempDir } from './helpers/temp-dir.js';

const build = async (dir: string, content: string): Promise<string> => {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), content);
  return dir;
};

test('publishes a folder to a fresh final path, creating the scope folder', async (t) => {
  const root = await tempDir(t);
  const built = await build(path.join(root, 'stage'), '{"v":1}');
  const target = path.join(root, 'node_modules', '@scope', 'a_1.0.0');
  t.is(await publishFolder(built, target), 'published');
  t.is(await readFile(path.join(target, 'package.json'), 'utf8'), '{"v":1}');
});

test('a second publisher loses the race and the first copy stays', async (t) => {
  const root = await tempDir(t);
  const target = path.join(root, 'node_modules', 'a_1.0.0');
  await publishFolder(await build(path.join(root, 'one'), '{"v":1}'), target);
  t.is(await publishFolder(await build(path.join(root, 'two'), '{"v":2}'), target), 'lost-race');
  t.is(await readFile(path.join(target, 'package.json'), 'utf8'), '{"v":1}');
});

test('EPERM from the rename (as sshfs reports a taken target) counts as a lost race', async (t) => {
  const root = await tempDir(t);
  const target = path.join(root, 'node_modules', 'a_1.0.0');
  await build(target, '{"v":1}');
  const eperm = Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });
  const { publishFolder: publishOnSshfs } = await esmock('../src/cache/publish-folder.ts', {
    'node:fs/promises': { rename: async () => Promise.reject(eperm) },
  });
  t.is(await publishOnSshfs(path.join(root, 'stage'), target), 'lost-race');
});

test('EPERM with no adaptor at the target is a real error', async (t) => {
  const root = await tempDir(t);
  const eperm = Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });
  const { publishFolder: publishDenied } = await esmock('../src/cache/publish-folder.ts', {
    'node:fs/promises': { rename: async () => Promise.reject(eperm) },
  });
  await t.throwsAsync(publishDenied(path.join(root, 'stage'), path.join(root, 'node_modules', 'a_1.0.0')), {
    message: /has no package.json/,
  });
});
