import path from 'node:path';
import { parseAlias } from './alias.js';

// The one place that knows where things live inside a repo directory.

export const indexPath = (repoDir: string): string => path.join(repoDir, 'package.json');

export const modulesDir = (repoDir: string): string => path.join(repoDir, 'node_modules');

export const stagingDir = (repoDir: string): string => path.join(repoDir, '.staging');

/** Final path of a published adaptor. The alias is validated before it becomes a path. */
export function adaptorDir(repoDir: string, alias: string): string {
  parseAlias(alias);
  return path.join(modulesDir(repoDir), alias);
}

/** Where `npm install --global --prefix <stage>` puts a package on POSIX systems. */
export const stagedPackageDir = (stage: string, name: string): string => path.join(stage, 'lib', 'node_modules', name);
