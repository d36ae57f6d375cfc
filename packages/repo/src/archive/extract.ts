import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import pLimit from 'p-limit';
import { Parser, type ReadEntry } from 'tar';
import { summarize, treeItem, type TreeItem, type TreeSummary } from './tree-digest.js';

/** An archive holds something extraction refuses: a path leaving the folder, a device, a link outside it. */
export class UnsafeArchiveError extends Error {
  override name = 'UnsafeArchiveError';
}

interface Entry {
  type: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  path: string;
  mode: number;
  body?: Buffer;
  linkpath?: string;
}

const KINDS = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

// Writes overlap: thousands of small files one round trip at a time take seconds.
const WRITE_CONCURRENCY = 16;

/**
 * Unpacks an archive (already verified against its index entry) into `dest`,
 * which must not exist yet, and summarizes what it wrote. Only regular files,
 * folders and links that stay inside `dest` are accepted; nothing is written
 * outside it, whatever the archive says.
 *
 * node-tar's own extractor writes one file at a time, checking every path
 * against symlinks as it goes (seconds for an adaptor of 8,000 files); here the
 * whole archive is read first, so every path can be judged before anything is
 * written and the files can be written side by side.
 */
export async function extractArchive(data: Buffer, dest: string): Promise<TreeSummary> {
  const entries = await readEntries(await promisify(gunzip)(data));
  const root = path.resolve(dest);
  for (const entry of entries) assertInside(root, entry);

  await mkdir(root);
  const folders = new Set(entries.map((entry) => (entry.type === 'Directory' ? entry.path : path.posix.dirname(entry.path))));
  for (const folder of [...folders].sort()) await mkdir(path.join(root, folder), { recursive: true });

  const bodies = new Map(entries.flatMap((entry) => (entry.type === 'File' ? [[entry.path, entry.body ?? Buffer.alloc(0)] as const] : [])));
  const limit = pLimit(WRITE_CONCURRENCY);
  const items: TreeItem[] = [];
  await Promise.all(
    entries
      .filter((entry) => entry.type === 'File')
      .map((entry) =>
        limit(async () => {
          const body = bodies.get(entry.path) as Buffer;
          await writeFile(path.join(root, entry.path), body, { mode: entry.mode & 0o755 });
          items.push(treeItem(entry.path, 'file', body));
        }),
      ),
  );
  // Links last, so that no file is ever written through one.
  for (const entry of entries) {
    const target = path.join(root, entry.path);
    const linkpath = entry.linkpath as string;
    if (entry.type === 'SymbolicLink') {
      await symlink(linkpath, target);
      items.push(treeItem(entry.path, 'symlink', linkpath));
    } else if (entry.type === 'Link') {
      // A hard link within the tree becomes a copy: the same bytes, no inode shared with anything.
      await copyFile(path.join(root, linkpath), target);
      items.push(treeItem(entry.path, 'file', bodies.get(linkpath) ?? Buffer.alloc(0)));
    }
  }
  return summarize(items);
}

function readEntries(tar: Buffer): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    const parser = new Parser({
      strict: true,
      onReadEntry: (read: ReadEntry) => {
        if (!KINDS.has(read.type)) {
          read.resume();
          return reject(new UnsafeArchiveError(`the archive holds ${read.path}, a ${read.type}, which an adaptor never has`));
        }
        const type = read.type === 'OldFile' || read.type === 'ContiguousFile' ? 'File' : (read.type as Entry['type']);
        const chunks: Buffer[] = [];
        read.on('data', (chunk: Buffer) => chunks.push(chunk));
        read.on('end', () =>
          entries.push({
            type,
            path: normalize(read.path),
            mode: read.mode ?? 0o644,
            ...(type === 'File' ? { body: Buffer.concat(chunks) } : {}),
            ...(read.linkpath !== undefined ? { linkpath: type === 'Link' ? normalize(read.linkpath) : read.linkpath } : {}),
          }),
        );
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(entries.filter((entry) => entry.path !== '')));
    parser.end(tar);
  });
}

// `./lib/x.js` and `lib/x.js/` are `lib/x.js`; the root itself is ''.
const normalize = (entryPath: string): string => path.posix.normalize(entryPath).replace(/^(\.\/)+|\/+$/g, '').replace(/^\.$/, '');

function assertInside(root: string, entry: Entry): void {
  const refuse = (why: string): never => {
    throw new UnsafeArchiveError(`the archive entry ${JSON.stringify(entry.path)} ${why}`);
  };
  if (path.posix.isAbsolute(entry.path) || entry.path.split('/').includes('..') || entry.path.includes('\0')) {
    refuse('leaves the adaptor folder');
  }
  if (entry.type === 'SymbolicLink') {
    const target = path.resolve(path.dirname(path.join(root, entry.path)), entry.linkpath ?? '');
    if (path.isAbsolute(entry.linkpath ?? '') || !(target === root || target.startsWith(root + path.sep))) {
      refuse(`links to ${entry.linkpath}, outside the adaptor folder`);
    }
  }
  if (entry.type === 'Link' && (!entry.linkpath || entry.linkpath.split('/').includes('..') || path.posix.isAbsolute(entry.linkpath))) {
    refuse(`is a hard link to ${entry.linkpath}, outside the adaptor folder`);
  }
}
