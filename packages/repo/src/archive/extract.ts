import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
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
  linkpath?: string;
}

const TYPES: Record<string, Entry['type']> = {
  File: 'File',
  OldFile: 'File',
  ContiguousFile: 'File',
  Directory: 'Directory',
  SymbolicLink: 'SymbolicLink',
  Link: 'Link',
};

// Writes overlap: thousands of small files one round trip at a time take seconds.
const WRITE_CONCURRENCY = 16;

/**
 * Unpacks an archive (already verified against its index entry) into `dest`,
 * which must not exist yet, and summarizes what it wrote. Only regular files,
 * folders and links that stay inside `dest` are accepted; nothing is written
 * outside it, whatever the archive says, and links are made last, so no file is
 * ever written through one.
 *
 * node-tar's own extractor writes one file at a time, checking every path
 * against symlinks as it goes (seconds for an adaptor of 8,000 files). Here
 * decompressing, parsing and writing overlap: each entry is judged as it is
 * parsed, its folders are made once (siblings side by side), and files are
 * written several at a time.
 */
export async function extractArchive(data: Buffer, dest: string): Promise<TreeSummary> {
  const root = path.resolve(dest);
  await mkdir(root);
  const folders = new Map<string, Promise<unknown>>([['', Promise.resolve()]]);
  const folder = (dir: string): Promise<unknown> => {
    let made = folders.get(dir);
    if (!made) {
      made = folder(parentOf(dir)).then(() => mkdir(path.join(root, dir)));
      folders.set(dir, made);
    }
    return made;
  };
  const limit = pLimit(WRITE_CONCURRENCY);
  // Writes fail while parsing goes on (a full disk): each failure is kept at once, never
  // left as a rejected promise nobody listens to yet, which would end the process.
  const writes: Array<Promise<unknown>> = [];
  let writeFailure: { error: unknown } | undefined;
  const track = (work: Promise<unknown>): void =>
    void writes.push(
      work.catch((error: unknown) => {
        writeFailure ??= { error };
      }),
    );
  const links: Entry[] = [];
  const bodies = new Map<string, Buffer>();
  const items: TreeItem[] = [];

  const parsed = readEntries(data, (entry, body) => {
    assertInside(root, entry);
    if (entry.type === 'Directory') track(folder(entry.path));
    else if (entry.type !== 'File') links.push(entry);
    else {
      bodies.set(entry.path, body);
      items.push(treeItem(entry.path, 'file', body));
      track(
        limit(async () => {
          await folder(parentOf(entry.path));
          await writeFile(path.join(root, entry.path), body, { mode: entry.mode & 0o755 });
        }),
      );
    }
  });
  // Every write ends before this returns, failed or not: the caller removes the stage next.
  const parseFailure = await parsed.then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  await Promise.all(writes);
  if (parseFailure) throw parseFailure.error;
  if (writeFailure) throw writeFailure.error;

  for (const entry of links) {
    await folder(parentOf(entry.path));
    const target = path.join(root, entry.path);
    const linkpath = entry.linkpath as string;
    if (entry.type === 'SymbolicLink') {
      await symlink(linkpath, target);
      items.push(treeItem(entry.path, 'symlink', linkpath));
    } else {
      // A hard link within the tree becomes a copy: the same bytes, no inode shared with anything.
      await copyFile(path.join(root, linkpath), target);
      items.push(treeItem(entry.path, 'file', bodies.get(linkpath) ?? Buffer.alloc(0)));
    }
  }
  return summarize(items);
}

/** Streams the archive through gunzip and tar's parser, handing over each entry with its bytes. */
function readEntries(data: Buffer, onEntry: (entry: Entry, body: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      gunzip.destroy();
      reject(error);
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (read: ReadEntry) => {
        const type = TYPES[read.type];
        if (!type) return fail(new UnsafeArchiveError(`the archive holds ${read.path}, a ${read.type}, which an adaptor never has`));
        const chunks: Buffer[] = [];
        read.on('data', (chunk: Buffer) => chunks.push(chunk));
        read.on('end', () => {
          const entry: Entry = { type, path: normalize(read.path), mode: read.mode ?? 0o644 };
          if (read.linkpath !== undefined) entry.linkpath = type === 'Link' ? normalize(read.linkpath) : read.linkpath;
          if (entry.path === '' || failed) return;
          try {
            onEntry(entry, Buffer.concat(chunks));
          } catch (error) {
            fail(error);
          }
        });
      },
    });
    parser.on('error', fail);
    parser.on('end', () => failed || resolve());
    // Large chunks: at the default 16 KB, handing each one to the parser cost more than inflating it.
    const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
    gunzip.on('data', (chunk: Buffer) => parser.write(chunk));
    gunzip.on('end', () => parser.end());
    gunzip.on('error', fail);
    gunzip.end(data);
  });
}

// The root folder is ''.
const parentOf = (entryPath: string): string => path.posix.dirname(entryPath).replace(/^\.$/, '');

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
