import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { create } from 'tar';

export interface Tarball {
  data: Uint8Array;
  shasum: string;
  integrity: string;
}

/** Packs every file of a directory under `package/`, the layout `npm pack` produces. */
export const pack = async (dir: string): Promise<Tarball> => {
  const paths = await readdir(dir, { recursive: true });
  const isFile = await Promise.all(paths.map(async (path) => (await stat(join(dir, path))).isFile()));
  // Directories are left out, since tar would add their contents a second time.
  const files = paths.filter((_, index) => isFile[index]);
  // Uint8Array, not Buffer: this @types/node's Buffer does not match TypeScript 5.9's Uint8Array.
  const chunks: Uint8Array[] = [];
  for await (const chunk of create({ cwd: dir, gzip: true, portable: true, prefix: 'package' }, files)) {
    chunks.push(chunk as Uint8Array);
  }
  const data = new Uint8Array(Buffer.concat(chunks));
  return {
    data,
    shasum: createHash('sha1').update(data).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
  };
};
