import { loadFixtureTree, type FixtureTree } from '@fleet/local-registry';
import { resolveAdaptor } from '../../src/index.js';

/** Imports a fixture adaptor from its folder in a local cache and reports its dependency tree. */
export async function loadAdaptor(cacheDir: string, alias: string): Promise<FixtureTree> {
  return loadFixtureTree(await resolveAdaptor(cacheDir, alias));
}
