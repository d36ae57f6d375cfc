import { chmod, link, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import esmock from 'esmock';
import { Header } from 'tar';
import { extractArchive, UnsafeArchiveError } from '../src/archive/extract.js';
import { packFolder } from '../src/archive/pack.js';
import { summarizeFolder } from '../src/archive/tree-digest.js';
import { tempDir } from './helpers/temp-dir.js';

/** A folder with what npm trees hold: nested files, an executable, an empty folder, a .bin symlink, a hard link. */
async function sampleTree(root: string): Promise<string> {
  const dir = path.join(root, 'tree');
  await mkdir(path.join(dir, 'lib', 'deep', 'er'), { recursive: true });
  await mkdir(path.join(dir, 'empty'));
  await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  await writeFile(path.join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}');
  await writeFile(path.join(dir, 'lib', 'deep', 'er', 'a.js'), 'module.exports = 1;');
  await writeFile(path.join(dir, 'cli.js'), '#!/usr/bin/env node\n');
  await chmod(path.join(dir, 'cli.js'), 0o755);
  await symlink('../../cli.js', path.join(dir, 'node_modules', '.bin', 'x'));
  await link(path.join(dir, 'lib', 'deep', 'er', 'a.js'), path.join(dir, 'lib', 'same.js'));
  return dir;
}

test('pack then extract gives back the same tree: the same digest, links and modes; packing twice gives the same bytes', async (t) => {
  const root = await tempDir(t);
  const dir = await sampleTree(root);
  const archive = await packFolder(dir);
  t.deepEqual((await packFolder(dir)).data, archive.data, 'deterministic');
  const dest = path.join(root, 'out');
  const summary = await extractArchive(archive.data, dest);
  t.deepEqual(summary, await summarizeFolder(dir));
  t.deepEqual(await summarizeFolder(dest), summary);
  t.is(await readlink(path.join(dest, 'node_modules', '.bin', 'x')), '../../cli.js');
  t.is((await stat(path.join(dest, 'cli.js'))).mode & 0o777, 0o755);
  t.is(await readFile(path.join(dest, 'lib', 'same.js'), 'utf8'), 'module.exports = 1;');
  t.deepEqual(await readdir(path.join(dest, 'empty')), []);
});

/** A gzipped tar of raw entries, as a hostile or broken archive could hold them. */
function rawArchive(entries: Array<{ path: string; type: string; body?: string; linkpath?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const { path: entryPath, type, body = '', linkpath } of entries) {
    const header = new Header({ path: entryPath, type: type as never, size: Buffer.byteLength(body), mode: 0o644, mtime: new Date(0), ...(linkpath ? { linkpath } : {}) });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (body) blocks.push(Buffer.concat([Buffer.from(body), Buffer.alloc((512 - (Buffer.byteLength(body) % 512)) % 512)]));
  }
  return gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)]));
}

for (const [what, entries] of [
  ['a path climbing out with ..', [{ path: '../escaped.js', type: 'File', body: 'evil' }]],
  ['a path climbing out later in the archive', [{ path: 'ok.js', type: 'File', body: 'fine' }, { path: 'lib/../../escaped.js', type: 'File', body: 'evil' }]],
  ['a symlink out of the folder', [{ path: 'link', type: 'SymbolicLink', linkpath: '../../etc' }]],
  ['an absolute symlink', [{ path: 'link', type: 'SymbolicLink', linkpath: '/etc/passwd' }]],
  ['a hard link out of the folder', [{ path: 'link', type: 'Link', linkpath: '../escaped.js' }]],
  ['a device', [{ path: 'dev', type: 'CharacterDevice' }]],
] as const) {
  test(`extraction refuses ${what}, and writes nothing outside its folder`, async (t) => {
    const root = await tempDir(t);
    const dest = path.join(root, 'stage', 'out');
    await mkdir(path.dirname(dest));
    await t.throwsAsync(extractArchive(rawArchive([...entries]), dest), { instanceOf: UnsafeArchiveError });
    t.deepEqual((await readdir(root)).sort(), ['stage']);
    t.deepEqual(await readdir(path.join(root, 'stage')), ['out']);
  });
}

test('a write failing while parsing goes on (a full disk) rejects the extraction once, with that error, after every write has ended', async (t) => {
  const fs = await import('node:fs/promises');
  let writes = 0;
  const { extractArchive: extractOnFullDisk } = await esmock<typeof import('../src/archive/extract.js')>('../src/archive/extract.ts', {
    'node:fs/promises': {
      ...fs,
      writeFile: async (...args: Parameters<typeof fs.writeFile>) => {
        writes += 1;
        if (writes > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return fs.writeFile(...args);
      },
    },
  });
  const root = await tempDir(t);
  const many = Array.from({ length: 50 }, (_, i) => ({ path: `lib/f${i}.js`, type: 'File', body: `module.exports = ${i};` }));
  await t.throwsAsync(extractOnFullDisk(rawArchive(many), path.join(root, 'out')), { message: /ENOSPC/ });
  t.is(writes, 50, 'every write was tried and had ended');
});
