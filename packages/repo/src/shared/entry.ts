import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isAlias, parseAlias } from '../alias.js';
import { adaptorsDir, entryPath, repoStagingDir } from '../layout.js';
import { stageName } from '../staging.js';

/**
 * The index entry of one adaptor version in the shared repo: which archive holds
 * it and what that archive must hash to. Written once the archive is in place;
 * the entry is what makes a version published.
 */
export const RepoEntrySchema = z.object({
  format: z.literal(1),
  name: z.string(),
  version: z.string(),
  /** The archive's file name, beside this entry. */
  archive: z.string().regex(/^[^/\\]+\.tgz$/),
  integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]+={0,2}$/),
  /** Bytes of the archive. */
  size: z.number().int().positive(),
  /** Files and symlinks in the adaptor's folder, and their bytes. */
  files: z.number().int().nonnegative(),
  unpackedSize: z.number().int().nonnegative(),
  /** The tree's digest (see archive/tree-digest.ts), so a host can check its own copy. */
  digest: z.string(),
  installedAt: z.string(),
  installedBy: z.object({ worker: z.string().optional(), host: z.string(), pid: z.number().int() }),
  /** Whether the packages' install scripts ran when it was built. */
  installScripts: z.boolean(),
});

export type RepoEntry = z.infer<typeof RepoEntrySchema>;

/** An entry as read, with when a worker last used the version (the entry file's mtime). */
export interface FoundEntry {
  state: 'found';
  entry: RepoEntry;
  lastUsedMs: number;
}

export type EntryLookup = FoundEntry | { state: 'absent' } | { state: 'corrupt'; reason: string };

/** The entry of `alias`: absent, corrupt (with why), or found. Never throws for what the file holds. */
export async function readEntry(repoDir: string, alias: string): Promise<EntryLookup> {
  const file = entryPath(repoDir, alias);
  let text: string;
  let lastUsedMs: number;
  try {
    [text, lastUsedMs] = await Promise.all([readFile(file, 'utf8'), stat(file).then((stats) => stats.mtimeMs)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { state: 'corrupt', reason: 'its index entry is not JSON' };
  }
  const parsed = RepoEntrySchema.safeParse(value);
  if (!parsed.success) return { state: 'corrupt', reason: `its index entry is malformed (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  const { name, version } = parseAlias(alias);
  if (parsed.data.name !== name || parsed.data.version !== version) {
    return { state: 'corrupt', reason: `its index entry describes ${parsed.data.name}@${parsed.data.version}` };
  }
  return { state: 'found', entry: parsed.data, lastUsedMs };
}

/** Writes the entry in one rename, so a reader on any host sees the old entry or the new one, whole. */
export async function writeEntry(repoDir: string, alias: string, entry: RepoEntry): Promise<void> {
  const target = entryPath(repoDir, alias);
  const staged = path.join(repoStagingDir(repoDir), `${stageName(alias)}.json`);
  await Promise.all([mkdir(path.dirname(target), { recursive: true }), mkdir(path.dirname(staged), { recursive: true })]);
  try {
    await writeFile(staged, `${JSON.stringify(entry, null, 2)}\n`);
    await rename(staged, target);
  } finally {
    await rm(staged, { force: true });
  }
}

/** Records a use: the entry's mtime is when the version was last used. Gone already is fine (pruned). */
export async function touchEntry(repoDir: string, alias: string, at = new Date()): Promise<void> {
  await utimes(entryPath(repoDir, alias), at, at).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Every alias with an entry in the shared repo (scoped ones one folder down), and the archives beside them. */
export async function listAdaptorFiles(repoDir: string): Promise<{ aliases: string[]; archives: Array<{ scope: string; file: string }> }> {
  const root = adaptorsDir(repoDir);
  const aliases: string[] = [];
  const archives: Array<{ scope: string; file: string }> = [];
  const visit = async (scope: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, scope), { withFileTypes: true }).catch(ifMissing([]))) {
      if (entry.isDirectory() && scope === '' && entry.name.startsWith('@')) await visit(entry.name);
      else if (entry.isFile() && entry.name.endsWith('.json')) aliases.push(path.posix.join(scope, entry.name.slice(0, -'.json'.length)));
      else if (entry.isFile() && entry.name.endsWith('.tgz')) archives.push({ scope, file: entry.name });
    }
  };
  await visit('');
  return { aliases: aliases.filter(isAlias).sort(), archives };
}

const ifMissing =
  <T>(fallback: T) =>
  (error: NodeJS.ErrnoException): T => {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  };
