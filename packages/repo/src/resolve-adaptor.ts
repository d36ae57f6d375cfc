import { adaptorEntry } from './adaptor-entry.js';
import { cachedAdaptorDir } from './layout.js';

/** The absolute path of the entry file of the adaptor materialized under `alias` in a local cache. */
export async function resolveAdaptor(cacheDir: string, alias: string): Promise<string> {
  // Async so that an invalid alias rejects rather than throws.
  return adaptorEntry(cachedAdaptorDir(cacheDir, alias));
}
