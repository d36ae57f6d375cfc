import { parseSpecifier, resolveVersion, type ExactSpecifier } from '@fleet/repo';

export interface VersionLookupOptions {
  /** How long a resolved tag or range is reused, in ms. */
  ttlMs: number;
  now?: () => number;
}

/**
 * Resolves specifiers to exact versions, reusing a tag or range lookup for
 * `ttlMs` so a burst of runs asks the registry once. Exact versions never touch
 * the registry. Failed lookups are not cached: the next run asks again.
 */
export function createVersionLookup({ ttlMs, now = () => performance.now() }: VersionLookupOptions) {
  const cache = new Map<string, { expires: number; exact: Promise<ExactSpecifier> }>();

  return (specifier: string): Promise<ExactSpecifier> => {
    if (parseSpecifier(specifier).kind === 'exact') return resolveVersion(specifier);
    const hit = cache.get(specifier);
    if (hit && hit.expires > now()) return hit.exact;
    const exact = resolveVersion(specifier);
    cache.set(specifier, { expires: now() + ttlMs, exact });
    exact.catch(() => {
      if (cache.get(specifier)?.exact === exact) cache.delete(specifier);
    });
    return exact;
  };
}
