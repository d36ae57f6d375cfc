import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { sweepStaging } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

const stage = async (repo: string, name: string, ageMs: number): Promise<void> => {
  const dir = path.join(repo, '.staging', name);
  await mkdir(path.join(dir, 'lib'), { recursive: true });
  const then = (Date.now() - ageMs) / 1000;
  await utimes(dir, then, then);
};

test('removes old orphans (folders and half-written archives), keeps recent stages and live local installers', async (t) => {
  const repo = await tempDir(t);
  const host = os.hostname();
  await stage(repo, `a_1.0.0~${host}~111~aaaa`, 60_000); // dead local pid, old
  await stage(repo, `b_1.0.0~${host}~222~bbbb`, 60_000); // live local pid, old
  await stage(repo, `c_1.0.0~other-host~333~cccc`, 60_000); // other host, old
  await stage(repo, `d_1.0.0~other-host~444~dddd`, 1_000); // other host, recent
  const archive = path.join(repo, '.staging', `e_1.0.0~other-host~555~eeee.tgz`); // a half-written archive, old
  await writeFile(archive, 'half');
  await utimes(archive, (Date.now() - 60_000) / 1000, (Date.now() - 60_000) / 1000);
  const removed = await sweepStaging(path.join(repo, '.staging'), { olderThanMs: 30_000, isAlive: (pid) => pid === 222 });
  t.deepEqual(removed.map((dir) => path.basename(dir)).sort(), [
    `a_1.0.0~${host}~111~aaaa`,
    'c_1.0.0~other-host~333~cccc',
    'e_1.0.0~other-host~555~eeee.tgz',
  ]);
  t.deepEqual((await readdir(path.join(repo, '.staging'))).sort(), [
    `b_1.0.0~${host}~222~bbbb`,
    'd_1.0.0~other-host~444~dddd',
  ]);
});

test('a missing staging folder has nothing to sweep', async (t) => {
  t.deepEqual(await sweepStaging(path.join(await tempDir(t), '.staging'), { olderThanMs: 0 }), []);
});
