import type { IncomingMessage } from 'node:http';
import type { RunTokens } from './run-token.js';

/** One item of a collection, as Lightning's collections API returns it: the value is JSON text. */
export interface CollectionItem {
  key: string;
  value: string;
  created: string;
  updated: string;
}

/** A reply of the collections API: a status and a JSON body. */
export type CollectionsReply = [status: number, body: unknown];

/**
 * Lightning's collections, the key-value store jobs reach with the
 * collections adaptor: a collection is created by a project's user (here: the
 * dev API); a job reads and writes it with its run's token.
 */
export class CollectionStore {
  private readonly collections = new Map<string, Map<string, CollectionItem>>();

  create(name: string): void {
    if (!this.collections.has(name)) this.collections.set(name, new Map());
  }

  /** Every key's value, parsed; undefined for a collection that does not exist. */
  contents(name: string): Record<string, unknown> | undefined {
    const items = this.collections.get(name);
    return items && Object.fromEntries([...items].map(([key, item]) => [key, JSON.parse(item.value)]));
  }

  /**
   * Serves `/collections/:name[/:key]`: GET an item, or the items whose keys
   * match `?key=` (`*` a wildcard); PUT `{value}` at a key; POST `{items}`;
   * DELETE a key. Only a valid run token opens it.
   */
  async serve(request: IncomingMessage, path: string, body: () => Promise<unknown>, runTokens: RunTokens): Promise<CollectionsReply> {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !(await runTokens.runOf(token))) return [401, { error: 'a run token is required' }];
    const [name = '', key] = path.split('/').map(decodeURIComponent);
    const items = this.collections.get(name);
    if (!items) return [404, { error: `no collection named ${name}` }];
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    switch (`${request.method} ${key === undefined ? 'all' : 'one'}`) {
      case 'GET one': {
        const item = items.get(key!);
        return item ? [200, item] : [204, null];
      }
      case 'GET all':
        return [200, { items: [...items.values()].filter((item) => matches(item.key, query.get('key') ?? '*')), cursor: null }];
      case 'PUT one':
        return this.put(items, [{ key: key!, value: (await body() as { value?: unknown } | null)?.value }]);
      case 'POST all':
        return this.put(items, (await body() as { items?: Array<{ key: string; value: unknown }> } | null)?.items ?? []);
      case 'DELETE one':
        return [200, { key, deleted: items.delete(key!) ? 1 : 0, error: null }];
      default:
        return [405, { error: `${request.method} is not served on a ${key === undefined ? 'collection' : 'key'}` }];
    }
  }

  private put(items: Map<string, CollectionItem>, entries: Array<{ key: string; value: unknown }>): CollectionsReply {
    if (!entries.every(({ key, value }) => typeof key === 'string' && typeof value === 'string')) return [400, { upserted: 0, error: 'Format error' }];
    const now = new Date().toISOString();
    for (const { key, value } of entries) items.set(key, { key, value: value as string, created: items.get(key)?.created ?? now, updated: now });
    return [200, { upserted: entries.length, error: null }];
  }
}

function matches(key: string, pattern: string): boolean {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(key);
}
