import path from 'node:path';
import { parseAlias } from './alias.js';

// The one place that knows where things live, in the shared repo and in a host's
// local cache. Aliases are validated before they become paths.

// --- the shared repo (network filesystem; one for the fleet) ---

/** Index entries and archives, one pair per adaptor version (scoped aliases one folder down). */
export const adaptorsDir = (repoDir: string): string => path.join(repoDir, 'adaptors');

/** The index entry of one adaptor version: what its archive is and who made it. */
export function entryPath(repoDir: string, alias: string): string {
  parseAlias(alias);
  return path.join(adaptorsDir(repoDir), `${alias}.json`);
}

/** An archive file, by the name its index entry gives (`<alias>.<hash>.tgz`, beside the entry). */
export function archivePath(repoDir: string, alias: string, archive: string): string {
  return path.join(path.dirname(entryPath(repoDir, alias)), archive);
}

export const locksDir = (repoDir: string): string => path.join(repoDir, '.locks');

/** The install lock of one alias: proper-lockfile's target, its lock directory, and who holds it. */
export interface LockPaths {
  target: string;
  lockDir: string;
  owner: string;
}

export function lockPaths(repoDir: string, alias: string): LockPaths {
  parseAlias(alias);
  const target = path.join(locksDir(repoDir), `${alias}.lock`);
  return { target, lockDir: `${target}.lock`, owner: `${target}.owner.json` };
}

/** Half-written archives and entries in the shared repo, and probes of check-repo. */
export const repoStagingDir = (repoDir: string): string => path.join(repoDir, '.staging');

/** What workers before the archive layout (and the reference worker) installed into a repo dir. */
export const legacyModulesDir = (repoDir: string): string => path.join(repoDir, 'node_modules');

// --- the local cache (local disk of one host) ---

/** The cache's index: `dependencies` maps each alias to `npm:<name>@<version>`, as npm would. */
export const cacheIndexPath = (cacheDir: string): string => path.join(cacheDir, 'package.json');

export const cacheModulesDir = (cacheDir: string): string => path.join(cacheDir, 'node_modules');

/** npm builds and archive extractions in progress on this host. */
export const cacheStagingDir = (cacheDir: string): string => path.join(cacheDir, '.staging');

/** Where a materialized adaptor lives; runs import it from here. */
export function cachedAdaptorDir(cacheDir: string, alias: string): string {
  parseAlias(alias);
  return path.join(cacheModulesDir(cacheDir), alias);
}

/** Where `npm install --global --prefix <stage>` puts a package on POSIX systems. */
export const stagedPackageDir = (stage: string, name: string): string => path.join(stage, 'lib', 'node_modules', name);
