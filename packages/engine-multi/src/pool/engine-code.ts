import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let cached: string[] | undefined;

/**
 * The folders a run process must be able to read to load the engine's own code:
 * this package and every package it depends on, directly or not, each as its
 * real path. Nothing else of the host (its other files, the worker's
 * configuration) becomes readable to job code.
 */
export function engineCodeFolders(): string[] {
  cached ??= packageClosure(realpathSync(PACKAGE_ROOT));
  return cached;
}

function packageClosure(root: string): string[] {
  const seen = new Set<string>();
  const pending = [root];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    if (seen.has(folder)) continue;
    seen.add(folder);
    const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const found = installedPackage(name, folder);
      if (found) pending.push(found);
    }
  }
  return [...seen];
}

// Node's own lookup: node_modules/<name> in the folder, then in each folder above it.
function installedPackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}
