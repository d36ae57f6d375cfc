import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { createEngine } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

test('an engine starting clears what interrupted installs left hours ago, in the shared repo and its cache, and leaves recent stages', async (t) => {
  const root = await tempDir(t, 'fleet-sweep-');
  const repoDir = path.join(root, 'repo');
  const cacheDir = path.join(root, 'cache');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  const orphanArchive = path.join(repoDir, '.staging', '@fleet-fixtures+adaptor-one_1.0.0~another-host~4242~dead.tgz');
  const orphanBuild = path.join(cacheDir, '.staging', '@fleet-fixtures+adaptor-one_1.0.0~this-host~4242~dead');
  const recent = '@fleet-fixtures+adaptor-two_1.0.0~another-host~4343~live';
  await mkdir(path.join(orphanBuild, 'lib'), { recursive: true });
  await mkdir(path.join(repoDir, '.staging', recent), { recursive: true });
  await writeFile(orphanArchive, 'half an archive');
  for (const orphan of [orphanArchive, orphanBuild]) await utimes(orphan, twoHoursAgo, twoHoursAgo);

  const engine = createEngine({ repoDir, cacheDir });
  t.teardown(() => engine.destroy());

  const deadline = Date.now() + 10_000;
  const stagedNow = async () => [...(await readdir(path.join(repoDir, '.staging'))), ...(await readdir(path.join(cacheDir, '.staging')))];
  while ((await stagedNow()).length > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  t.deepEqual(await stagedNow(), [recent]);
});
