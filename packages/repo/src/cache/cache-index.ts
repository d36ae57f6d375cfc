import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { indexEntryFor, isAlias } from '../alias.js';
import { cacheIndexPath, cacheModulesDir } from '../layout.js';

/** The local cache's package.json: an index of materialized aliases, compatible with npm. */
export interface CacheIndex {
  name?: string;
  dependencies: Record<string, string>;
  [key: string]: unknown;
}

export const emptyIndex = (): CacheIndex => ({
  name: 'fleet-adaptor-cache',
  description: 'Adaptors materialized on this host by fleet workers. Managed by @fleet/repo: do not npm install here.',
  private: true,
  version: '1.0.0',
  dependencies: {},
});

/** Reads the index; `undefined` when it is missing or not a valid index. */
export async function readIndex(cacheDir: string): Promise<CacheIndex | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(cacheIndexPath(cacheDir), 'utf8'));
    if (!isRecord(value)) return undefined;
    const dependencies = isRecord(value.dependencies) ? (value.dependencies as Record<string, string>) : {};
    return { ...value, dependencies };
  } catch {
    return undefined;
  }
}

/** Replaces the index in one rename, so readers only ever see a whole file. */
export async function writeIndex(cacheDir: string, index: CacheIndex): Promise<void> {
  const target = cacheIndexPath(cacheDir);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(index, null, 2)}\n`);
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}

// Each round either finds the index complete or writes it; only a writer racing in
// every single round could exhaust this.
const MAX_SYNC_ROUNDS = 50;

/**
 * Makes the cache's index list every published adaptor folder, without a lock and
 * without ever dropping an entry someone else added.
 *
 * Writers race read-modify-write, so a write can clobber an entry added a moment
 * earlier. What makes it converge: folders are published before their entry is
 * written (and removed before their entry is), and every writer re-reads (index, then folders)
 * after its own last write and only stops once the index covers every folder it
 * sees. The last writer's final check therefore sees its own write and every
 * folder published before it; a folder published later has a writer that writes
 * after it, contradicting "last". A published folder whose entry was lost (for
 * example when its installer was killed) is repaired by the next sync.
 */
export async function syncIndex(cacheDir: string): Promise<void> {
  for (let round = 0; round < MAX_SYNC_ROUNDS; round++) {
    const current = await readIndex(cacheDir);
    const published = await listPublished(cacheDir);
    const index = current ?? emptyIndex();
    const missing = published.filter((alias) => index.dependencies[alias] !== indexEntryFor(alias));
    if (current && missing.length === 0) return;
    const added = Object.fromEntries(missing.map((alias) => [alias, indexEntryFor(alias)]));
    await writeIndex(cacheDir, { ...index, dependencies: { ...index.dependencies, ...added } });
  }
  throw new Error(`The index of ${cacheDir} kept changing under us; giving up after ${MAX_SYNC_ROUNDS} rounds`);
}

/** Drops the entry of a folder that was removed, then syncs, so no other entry is lost to the write. */
export async function unlistFromIndex(cacheDir: string, alias: string): Promise<void> {
  const current = await readIndex(cacheDir);
  if (current?.dependencies[alias] !== undefined) {
    const { [alias]: _removed, ...dependencies } = current.dependencies;
    await writeIndex(cacheDir, { ...current, dependencies });
  }
  await syncIndex(cacheDir);
}

/** Aliases whose folder has been published under node_modules (scoped ones one level down). */
export async function listPublished(cacheDir: string): Promise<string[]> {
  const root = cacheModulesDir(cacheDir);
  const aliases: string[] = [];
  for (const entry of await readDirNames(root)) {
    if (entry.startsWith('@')) {
      for (const scoped of await readDirNames(`${root}/${entry}`)) aliases.push(`${entry}/${scoped}`);
    } else {
      aliases.push(entry);
    }
  }
  // A cache made from an older repo dir (or the reference worker's) may hold plain packages beside the aliases.
  return aliases.filter(isAlias).sort();
}

async function readDirNames(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
