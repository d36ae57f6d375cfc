import { stat } from 'node:fs/promises';
import path from 'node:path';
import { cachedAdaptorDir } from '../layout.js';
import { removeFromCache } from './add-to-cache.js';
import { listPublished } from './cache-index.js';
import { readRecord, RECORD_FILE } from './local-record.js';

/** One adaptor in a local cache, as eviction and status see it. */
export interface CachedAdaptor {
  alias: string;
  /** Bytes of its files; 0 for a folder without a record (not made by this version, first to go). */
  bytes: number;
  /** When a worker of this host last used it (its record's mtime); 0 without a record. */
  lastUsedMs: number;
}

export async function listCached(cacheDir: string): Promise<CachedAdaptor[]> {
  return Promise.all(
    (await listPublished(cacheDir)).map(async (alias) => {
      const folder = cachedAdaptorDir(cacheDir, alias);
      const [record, stats] = await Promise.all([readRecord(folder), stat(path.join(folder, RECORD_FILE)).catch(() => undefined)]);
      return { alias, bytes: record?.unpackedSize ?? 0, lastUsedMs: record && stats ? stats.mtimeMs : 0 };
    }),
  );
}

export interface EvictOptions {
  maxBytes: number;
  /** Never evicted: in use by a run of this process, or used by any process of this host lately. */
  keep: (adaptor: CachedAdaptor) => boolean;
}

/**
 * Brings the cache under `maxBytes` by removing the least recently used
 * adaptors that are not kept. Returns the aliases removed. A removed adaptor is
 * materialized again from the shared repo when a run next needs it.
 */
export async function evict(cacheDir: string, { maxBytes, keep }: EvictOptions): Promise<string[]> {
  const cached = await listCached(cacheDir);
  let total = cached.reduce((sum, adaptor) => sum + adaptor.bytes, 0);
  const removed: string[] = [];
  for (const adaptor of [...cached].sort((a, b) => a.lastUsedMs - b.lastUsedMs)) {
    if (total <= maxBytes) break;
    if (keep(adaptor)) continue;
    await removeFromCache(cacheDir, adaptor.alias);
    total -= adaptor.bytes;
    removed.push(adaptor.alias);
  }
  return removed;
}
