import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';

/** One entry of an adaptor's tree as the digest sees it: a file, or a symlink and its target. */
export interface TreeItem {
  /** Relative to the tree's root, with `/` separators. */
  path: string;
  kind: 'file' | 'symlink';
  size: number;
  /** Hex SHA-256 of the file's bytes or of the link's target. */
  sha256: string;
}

/** What a tree holds, and a digest that changes when any file's bytes, name or link does. */
export interface TreeSummary {
  digest: string;
  files: number;
  unpackedSize: number;
}

export const treeItem = (itemPath: string, kind: TreeItem['kind'], content: Buffer | string): TreeItem => ({
  path: itemPath,
  kind,
  size: Buffer.byteLength(content),
  sha256: createHash('sha256').update(content).digest('hex'),
});

/**
 * The same digest whether the items come from a folder on disk or from an
 * archive in memory: sorted by path, each contributing its kind, path, size and
 * hash. Directories and modes are left out: empty folders and permission bits do
 * not change what an import loads.
 */
export function summarize(items: readonly TreeItem[]): TreeSummary {
  const lines = items.map(({ path: itemPath, kind, size, sha256 }) => `${kind}\0${itemPath}\0${size}\0${sha256}\n`).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  const unpackedSize = items.reduce((sum, item) => sum + item.size, 0);
  return { digest: `sha256-${hash.digest('base64')}`, files: items.length, unpackedSize };
}

// Reads overlap so that a tree of thousands of small files is not read one round trip at a time.
const READ_CONCURRENCY = 16;

/** Summarizes the folder `root` as it is on disk, leaving out the top-level names in `exclude`. */
export async function summarizeFolder(root: string, exclude: ReadonlySet<string> = new Set()): Promise<TreeSummary> {
  const names = (await readdir(root, { recursive: true })).filter((name) => !exclude.has(name));
  const limit = pLimit(READ_CONCURRENCY);
  const items = await Promise.all(
    names.map((name) =>
      limit(async (): Promise<TreeItem | undefined> => {
        const file = path.join(root, name);
        const stats = await lstat(file);
        const itemPath = name.split(path.sep).join('/');
        if (stats.isSymbolicLink()) return treeItem(itemPath, 'symlink', await readlink(file));
        if (stats.isFile()) return treeItem(itemPath, 'file', await readFile(file));
        return undefined;
      }),
    ),
  );
  return summarize(items.filter((item): item is TreeItem => item !== undefined));
}
