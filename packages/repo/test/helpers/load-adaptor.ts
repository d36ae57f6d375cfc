import { loadFixtureTree, type FixtureTree } from '@fleet/local-registry';
import { resolveAdaptor } from '../../src/index.js';

/** Imports an installed fixture adaptor from its final path and reports its dependency tree. */
export async function loadAdaptor(repoDir: string, alias: string): Promise<FixtureTree> {
  return loadFixtureTree(await resolveAdaptor(repoDir, alias));
}
