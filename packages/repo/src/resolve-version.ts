import os from 'node:os';
import semver from 'semver';
import { NpmError, VersionNotFoundError } from './errors.js';
import { runNpm, type NpmRunner } from './npm.js';
import { parseSpecifier, type ExactSpecifier } from './specifier.js';

export interface ResolveOptions {
  npm?: NpmRunner;
  signal?: AbortSignal;
}

/**
 * Turns any valid specifier into one exact version: exact versions pass through
 * untouched (no network); dist-tags and ranges are looked up in the registry.
 */
export async function resolveVersion(specifier: string, options: ResolveOptions = {}): Promise<ExactSpecifier> {
  const parsed = parseSpecifier(specifier);
  if (parsed.kind === 'exact') return parsed;

  const { npm = runNpm, signal } = options;
  const { stdout } = await npm(['view', `${parsed.name}@${parsed.selector}`, 'version', '--json'], {
    cwd: os.tmpdir(),
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    if (error instanceof NpmError && error.stderr.includes('E404')) {
      throw new VersionNotFoundError(specifier, 'the registry has no such package, or no version matches');
    }
    throw error;
  });
  const version = semver.maxSatisfying(versionsIn(stdout), parsed.kind === 'tag' ? '*' : parsed.selector, {
    includePrerelease: parsed.kind === 'tag',
  });
  if (!version) throw new VersionNotFoundError(specifier, 'no published version matches');
  return { kind: 'exact', name: parsed.name, version };
}

// `npm view` prints one JSON string for a single match, an array for several, nothing for none.
function versionsIn(stdout: string): string[] {
  if (!stdout.trim()) return [];
  const value: unknown = JSON.parse(stdout);
  const list = Array.isArray(value) ? value : [value];
  return list.filter((item): item is string => typeof item === 'string' && semver.valid(item) !== null);
}
