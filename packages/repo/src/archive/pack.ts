import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { create } from 'tar';

/** One adaptor version as the shared repo stores it: a gzipped tar of its folder. */
export interface Archive {
  data: Buffer;
  /** `sha512-<base64>`, as npm writes integrity. */
  integrity: string;
}

export const integrityOf = (data: Uint8Array): string => `sha512-${createHash('sha512').update(data).digest('base64')}`;

// Fixed, so that two builds of the same tree make the same archive, byte for byte.
const EPOCH = new Date(0);

/**
 * Packs everything under `dir` (files, symlinks as links, folders) into one
 * archive in memory. The entries are listed explicitly and in order, and times
 * and owners are left out, so the bytes depend on the tree alone.
 */
export async function packFolder(dir: string): Promise<Archive> {
  const entries = (await readdir(dir, { recursive: true })).sort();
  const chunks: Uint8Array[] = [];
  const stream = create({ cwd: dir, gzip: true, portable: true, mtime: EPOCH, noDirRecurse: true, follow: false }, entries);
  for await (const chunk of stream) chunks.push(chunk as Uint8Array);
  const data = Buffer.concat(chunks);
  return { data, integrity: integrityOf(data) };
}
