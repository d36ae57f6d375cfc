import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import type { LinkerEntry } from '../plan.js';
import { adaptorEntry } from '@fleet/repo/adaptor-entry';
import { defer } from './defer.js';
import { ImportError, messageOf } from './errors.js';
import { isRecord } from './is-record.js';

/** The module name under which job code imports the runtime's helpers. */
const RUNTIME_MODULE = '@openfn/runtime';

export interface LinkerOptions {
  /** Who imports, for messages: `step "a"`, `the workflow globals`. */
  owner: string;
  /** Adaptor package name → where autoinstall put it. */
  adaptors: Record<string, LinkerEntry>;
  whitelist?: RegExp[];
  cacheKey: string;
  context: vm.Context;
}

/**
 * Resolves every `import` of a job module: the runtime's helpers, or one of the
 * step's installed adaptors. Nothing else, so job code cannot reach `fs`,
 * `child_process` or whatever happens to be in the runtime's node_modules.
 */
export function createLinker(options: LinkerOptions): vm.ModuleLinker {
  return (specifier) => load(specifier, options);
}

/**
 * For `importModuleDynamically`: node would refuse `import()` in a vm module too,
 * but with a bare TypeError. Every import must go through the linker.
 */
export function refuseDynamicImport(specifier: string): never {
  throw new ImportError(`Cannot import "${specifier}": job code may not use import(); import modules at the top`);
}

async function load(specifier: string, options: LinkerOptions): Promise<vm.Module> {
  const { owner, adaptors, whitelist, cacheKey, context } = options;
  if (specifier === RUNTIME_MODULE) return syntheticModule(specifier, { defer }, context);
  if (whitelist && !whitelist.some((pattern) => pattern.test(specifier))) {
    throw new ImportError(`Cannot import "${specifier}": it is not in the whitelist of modules job code may import`);
  }
  if (!Object.hasOwn(adaptors, specifier)) {
    const known = Object.keys(adaptors).join(', ') || 'none';
    throw new ImportError(`Cannot import "${specifier}": it is not an adaptor of ${owner} (adaptors: ${known})`);
  }
  const folder = adaptors[specifier].path;
  let namespace: Record<string, unknown>;
  try {
    const entry = await adaptorEntry(folder);
    // The query makes a new module instance per cache key: two runs never share an adaptor's
    // module-level state. Only the entry file is fresh; files it imports are cached as usual.
    namespace = await import(`${pathToFileURL(entry).href}?cache=${encodeURIComponent(cacheKey)}`);
  } catch (error) {
    throw new ImportError(`Failed to import module "${specifier}" from ${folder}: ${messageOf(error)}`);
  }
  return syntheticModule(specifier, moduleExports(namespace), context);
}

function syntheticModule(identifier: string, exports: Record<string, unknown>, context: vm.Context): vm.Module {
  const names = Object.keys(exports);
  return new vm.SyntheticModule(
    names,
    function (this: vm.SyntheticModule) {
      for (const name of names) this.setExport(name, exports[name]);
    },
    { identifier, context },
  );
}

/**
 * Node exposes a CommonJS module to `import()` as `{ default: module.exports,
 * ...the names its static analysis found }` (newer lines add `module.exports`
 * itself under that name, which job code has no use for). For a module it could
 * not analyse (no names) or a transpiled one (`__esModule`) that leaves job code
 * with nothing to import by name, so the keys of `module.exports` are exposed instead.
 */
export function moduleExports(namespace: Record<string, unknown>): Record<string, unknown> {
  const exported = { ...namespace };
  delete exported['module.exports'];
  const inner = exported.default;
  if (!(isRecord(inner) || typeof inner === 'function')) return exported;
  const onlyDefault = Object.keys(exported).length === 1;
  const transpiled = '__esModule' in exported || (inner as { __esModule?: unknown }).__esModule === true;
  if (!onlyDefault && !transpiled) return exported;
  const exports: Record<string, unknown> = { ...exported, ...inner };
  delete exports.__esModule;
  return exports;
}
