import { mkdir, readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { createEngine } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

test('an engine starting on a repo clears staging folders hours old, and leaves recent ones', async (t) => {
  const repoDir = path.join(await tempDir(t, 'fleet-sweep-'), 'repo');
  const staging = path.join(repoDir, '.staging');
  const orphan = '@fleet-fixtures+adaptor-one_1.0.0~another-host~4242~dead';
  const recent = '@fleet-fixtures+adaptor-two_1.0.0~another-host~4343~live';
  await mkdir(path.join(staging, orphan, 'lib'), { recursive: true });
  await mkdir(path.join(staging, recent), { recursive: true });
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  await utimes(path.join(staging, orphan), twoHoursAgo, twoHoursAgo);

  const engine = createEngine({ repoDir });
  t.teardown(() => engine.destroy());

  const deadline = Date.now() + 10_000;
  while ((await readdir(staging)).includes(orphan) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  t.deepEqual(await readdir(staging), [recent]);
});
