import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { publish, type Manifest } from './publish.js';

// Resolves from src/ under tsx and from dist/ once built: both sit beside fixtures/.
const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface Fixture {
  dir: string;
  manifest: Manifest;
}

/**
 * Publishes every fixture directory. Packages go in parallel; the versions of one package
 * go in ascending order so that `latest` ends on the highest version not tagged otherwise.
 */
export const publishFixtures = async (registryUrl: string): Promise<void> => {
  const byName = new Map<string, Fixture[]>();
  for (const fixture of await readFixtures()) {
    byName.set(fixture.manifest.name, [...(byName.get(fixture.manifest.name) ?? []), fixture]);
  }
  await Promise.all(
    [...byName.values()].map(async (versions) => {
      versions.sort((a, b) => semver.compare(a.manifest.version, b.manifest.version));
      for (const { dir, manifest } of versions) await publish(registryUrl, dir, manifest);
    }),
  );
};

const readFixtures = async (): Promise<Fixture[]> => {
  const names = await readdir(fixturesDir);
  return Promise.all(
    names.map(async (name) => {
      const dir = join(fixturesDir, name);
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
      return { dir, manifest };
    }),
  );
};
