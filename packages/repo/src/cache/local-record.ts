import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { summarizeFolder } from '../archive/tree-digest.js';

/**
 * Written into each cached adaptor's folder before the folder is published, so
 * that it arrives with the folder: what the folder must hold (the digest of its
 * tree) and where it came from. Its mtime is when a worker on this host last used it.
 */
export const RECORD_FILE = '.fleet-adaptor.json';

const LocalRecordSchema = z.object({
  format: z.literal(1),
  alias: z.string(),
  /** The archive the folder was made from, or would be packed into. */
  integrity: z.string(),
  digest: z.string(),
  files: z.number().int().nonnegative(),
  unpackedSize: z.number().int().nonnegative(),
});

export type LocalRecord = z.infer<typeof LocalRecordSchema>;

export async function writeRecord(folder: string, record: Omit<LocalRecord, 'format'>): Promise<void> {
  await writeFile(path.join(folder, RECORD_FILE), `${JSON.stringify({ format: 1, ...record }, null, 2)}\n`);
}

export async function readRecord(folder: string): Promise<LocalRecord | undefined> {
  try {
    const parsed = LocalRecordSchema.safeParse(JSON.parse(await readFile(path.join(folder, RECORD_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export type CopyCheck = { ok: true; record: LocalRecord } | { ok: false; reason: string };

/** Reads the whole folder and compares it with its record: any file added, removed, cut short or changed shows. */
export async function checkCachedCopy(folder: string): Promise<CopyCheck> {
  const record = await readRecord(folder);
  if (!record) return { ok: false, reason: `it has no readable ${RECORD_FILE}` };
  const found = await summarizeFolder(folder, new Set([RECORD_FILE]));
  if (found.digest === record.digest) return { ok: true, record };
  const counts =
    found.files !== record.files || found.unpackedSize !== record.unpackedSize
      ? `${found.files} files, ${found.unpackedSize} bytes where ${record.files} files, ${record.unpackedSize} bytes were materialized`
      : 'a file differs from what was materialized';
  return { ok: false, reason: counts };
}

/** Records a use on this host (for the cache's least-recently-used eviction). */
export async function touchRecord(folder: string, at = new Date()): Promise<void> {
  await utimes(path.join(folder, RECORD_FILE), at, at).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
