import { chmod, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { checkRepoDir, ConfigError } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

// Root ignores permission bits, so the unwritable case cannot be set up as root.
const isRoot = process.getuid?.() === 0;

test('creates a missing repo dir, parents included', async (t) => {
  const dir = path.join(await tempDir(t), 'a', 'b', 'repo');
  await checkRepoDir('repo-dir', dir);
  t.true((await stat(dir)).isDirectory());
});

test('accepts an existing writable repo dir', async (t) => {
  await t.notThrowsAsync(checkRepoDir('repo-dir', await tempDir(t)));
});

(isRoot ? test.skip : test)('an unwritable repo dir is a ConfigError naming the dir and the reason', async (t) => {
  const dir = path.join(await tempDir(t), 'locked');
  await checkRepoDir('repo-dir', dir);
  await chmod(dir, 0o500);
  t.teardown(() => chmod(dir, 0o700));
  const error = await t.throwsAsync(checkRepoDir('repo-dir', dir), { instanceOf: ConfigError });
  t.is(
    error?.message,
    `Invalid --repo-dir (WORKER_REPO_DIR): ${JSON.stringify(dir)} is not a readable and writable directory (permission denied, EACCES)`,
  );
});

test('a file where the repo dir should be is a ConfigError naming the dir and the reason', async (t) => {
  const file = path.join(await tempDir(t), 'repo');
  await writeFile(file, 'not a directory');
  const error = await t.throwsAsync(checkRepoDir('repo-dir', file), { instanceOf: ConfigError });
  t.is(
    error?.message,
    `Invalid --repo-dir (WORKER_REPO_DIR): ${JSON.stringify(file)} is not a readable and writable directory (a file is in the way, EEXIST)`,
  );
  t.is(error?.option, 'repo-dir');
});

test('a file in the middle of the repo dir path is a ConfigError', async (t) => {
  const file = path.join(await tempDir(t), 'file');
  await writeFile(file, 'not a directory');
  const error = await t.throwsAsync(checkRepoDir('repo-dir', path.join(file, 'repo')), { instanceOf: ConfigError });
  t.regex(error?.message ?? '', /is not a readable and writable directory \(a file is in the way, ENOTDIR\)$/);
});
