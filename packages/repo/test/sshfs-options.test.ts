import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { Mount } from '../src/check/mount-info.js';
import { findSshfsDaemon, sshfsOptions } from '../src/check/sshfs-options.js';
import { tempDir } from './helpers/temp-dir.js';

const SOURCE = 'root@10.204.49.2:/srv/export';
const mountAt = (mountPoint: string): Mount => ({ mountPoint, fstype: 'fuse.sshfs', source: SOURCE, options: ['rw'] });

/** A /proc look-alike: one folder per pid with its NUL-separated command line. */
async function procDir(t: import('ava').ExecutionContext, processes: Record<number, string[]>): Promise<string> {
  const dir = await tempDir(t, 'fleet-proc-');
  for (const [pid, argv] of Object.entries(processes)) {
    await mkdir(path.join(dir, pid));
    await writeFile(path.join(dir, pid, 'cmdline'), `${argv.join('\0')}\0`);
  }
  await mkdir(path.join(dir, 'self')); // not a pid, and no cmdline: skipped
  return dir;
}

test('options as sshfs reads them: -o a,b and -oa,b, repeated', (t) => {
  t.deepEqual(sshfsOptions(['sshfs', '-o', 'reconnect,dir_cache=no', SOURCE, '/mnt/a', '-oattr_timeout=0', '-p', '2222']), [
    'reconnect',
    'dir_cache=no',
    'attr_timeout=0',
  ]);
});

test('two mounts of one source: the process naming the mount point is the one', async (t) => {
  const proc = await procDir(t, {
    1101: ['sshfs', '-o', 'IdentityFile=/k,dir_cache=no,attr_timeout=0', SOURCE, '/mnt/a'],
    1119: ['/usr/bin/sshfs', '-o', 'IdentityFile=/k', SOURCE, '/mnt/b/'],
    1200: ['node', 'cli.js', SOURCE, '/mnt/a'],
  });
  t.deepEqual(await findSshfsDaemon(mountAt('/mnt/a'), proc), { pid: 1101, options: ['IdentityFile=/k', 'dir_cache=no', 'attr_timeout=0'] });
  t.deepEqual(await findSshfsDaemon(mountAt('/mnt/b'), proc), { pid: 1119, options: ['IdentityFile=/k'] });
});

test('a relative mount point: the only process serving the source is the one; with two, none is', async (t) => {
  const one = await procDir(t, { 42: ['sshfs', SOURCE, 'mnt', '-o', 'cache=no'] });
  t.deepEqual(await findSshfsDaemon(mountAt('/home/u/mnt'), one), { pid: 42, options: ['cache=no'] });
  const two = await procDir(t, { 42: ['sshfs', SOURCE, 'mnt'], 43: ['sshfs', SOURCE, 'other'] });
  t.is(await findSshfsDaemon(mountAt('/home/u/mnt'), two), undefined);
});

test('no sshfs process for the source, or no /proc at all: not visible', async (t) => {
  const proc = await procDir(t, { 42: ['sshfs', 'someone@elsewhere:/x', '/mnt/a'] });
  t.is(await findSshfsDaemon(mountAt('/mnt/a'), proc), undefined);
  t.is(await findSshfsDaemon(mountAt('/mnt/a'), path.join(proc, 'missing')), undefined);
});
