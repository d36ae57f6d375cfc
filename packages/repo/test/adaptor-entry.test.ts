import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { InvalidSpecifierError, resolveAdaptor } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

const adaptor = async (repo: string, manifest: object, files: string[]): Promise<string> => {
  const root = path.join(repo, 'node_modules', 'a_1.0.0');
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ name: 'a', version: '1.0.0', ...manifest }));
  for (const file of files) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), '');
  }
  return root;
};

const cases: Array<[string, object, string[], string]> = [
  ['exports as a string', { exports: './dist/index.js', main: 'main.js' }, ['dist/index.js', 'main.js'], 'dist/index.js'],
  ['exports["."] as a string', { exports: { '.': './esm.js', './sub': './sub.js' } }, ['esm.js'], 'esm.js'],
  [
    'the import condition before require',
    { exports: { '.': { require: './cjs.js', import: './esm.js' } } },
    ['cjs.js', 'esm.js'],
    'esm.js',
  ],
  [
    'nested conditions',
    { exports: { '.': { import: { types: './x.d.ts', default: './esm.mjs' } } } },
    ['esm.mjs'],
    'esm.mjs',
  ],
  ['top-level conditions', { exports: { default: './d.js' } }, ['d.js'], 'd.js'],
  ['main', { main: 'lib/main.js' }, ['lib/main.js'], 'lib/main.js'],
  ['main without extension', { main: 'lib/main' }, ['lib/main.js'], 'lib/main.js'],
  ['main as a folder', { main: 'lib' }, ['lib/index.js'], 'lib/index.js'],
  ['index.js by default', {}, ['index.js'], 'index.js'],
];

for (const [what, manifest, files, expected] of cases) {
  test(`resolves ${what}`, async (t) => {
    const repo = await tempDir(t);
    const root = await adaptor(repo, manifest, files);
    t.is(await resolveAdaptor(repo, 'a_1.0.0'), path.join(root, expected));
  });
}

test('an entry outside the adaptor folder is refused', async (t) => {
  const repo = await tempDir(t);
  await adaptor(repo, { main: '../../../etc/passwd' }, []);
  await t.throwsAsync(resolveAdaptor(repo, 'a_1.0.0'), { message: /no entry file/ });
});

test('a missing adaptor and a bad alias give clear errors', async (t) => {
  const repo = await tempDir(t);
  await t.throwsAsync(resolveAdaptor(repo, 'a_1.0.0'), { message: /not installed/ });
  await t.throwsAsync(resolveAdaptor(repo, '../a_1.0.0'), { instanceOf: InvalidSpecifierError });
});
