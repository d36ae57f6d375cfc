import { pathToFileURL } from 'node:url';

/** What a fixture adaptor reports about itself and the dependency versions it resolved. */
export interface FixtureTree {
  name: string;
  version: string;
  dependencies: Record<string, FixtureTree>;
}

interface FixtureModule {
  name: string;
  version: string;
  dependencies?: Record<string, FixtureModule>;
  loadDependencies?: () => Promise<Record<string, FixtureModule>>;
  default?: FixtureModule;
}

/**
 * Imports a fixture adaptor's entry file and walks what it imported, so a caller
 * can prove that the whole tree resolves, with the right versions, from where
 * the file sits.
 */
export async function loadFixtureTree(entryFile: string): Promise<FixtureTree> {
  const loaded = (await import(pathToFileURL(entryFile).href)) as FixtureModule;
  // CommonJS fixtures arrive as the default export.
  return tree(loaded.loadDependencies || loaded.dependencies ? loaded : (loaded.default ?? loaded));
}

async function tree(module: FixtureModule): Promise<FixtureTree> {
  const dependencies = module.loadDependencies ? await module.loadDependencies() : (module.dependencies ?? {});
  const entries = await Promise.all(Object.entries(dependencies).map(async ([key, dep]) => [key, await tree(dep)]));
  return { name: module.name, version: module.version, dependencies: Object.fromEntries(entries) };
}
