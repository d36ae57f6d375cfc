import { readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fixtures, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, isInstalled, readEntry, readIndex } from '../src/index.js';
import { startInstaller, type Installer } from './helpers/installers.js';
import { loadAdaptor } from './helpers/load-adaptor.js';
import { tempDir } from './helpers/temp-dir.js';

// Real processes, real npm, a real (local) registry, and NO lock: the repo must be
// correct on its own. Each installer is a process of its own host (its own cache)
// sharing one repo. Installers are started once and reused across trials.

const TRIALS = 20;
const DIFFERENT = [fixtures.adaptorOne, fixtures.adaptorTwo, fixtures.adaptorThree, fixtures.languageFixtureLatest];

let registry: LocalRegistry;
let installers: Installer[];

test.before(async () => {
  registry = await startRegistry();
  const env = { ...process.env, ...registry.env };
  installers = await Promise.all(DIFFERENT.map(() => startInstaller(env)));
});

test.after.always(async () => {
  installers?.forEach(({ child }) => child.kill());
  await registry?.stop();
});

const cacheOf = (root: string, i: number): string => path.join(root, `cache-${i}`);

test.serial(`4 hosts install 4 different adaptors into one fresh shared repo at once (${TRIALS} trials)`, async (t) => {
  const root = await tempDir(t);
  for (let trial = 0; trial < TRIALS; trial++) {
    const trialRoot = path.join(root, `trial-${trial}`);
    const repoDir = path.join(trialRoot, 'shared');
    const replies = await Promise.all(
      installers.map((installer, i) => installer.install({ repoDir, cacheDir: cacheOf(trialRoot, i), specifier: DIFFERENT[i] as string })),
    );
    t.deepEqual(
      replies.map((reply) => (reply.ok ? reply.outcome : reply.message)),
      DIFFERENT.map(() => 'installed'),
      `trial ${trial}`,
    );
    for (const [i, specifier] of DIFFERENT.entries()) {
      const alias = aliasFor(specifier);
      t.is((await readEntry(repoDir, alias)).state, 'found', `trial ${trial}: ${alias} published`);
      t.true(await isInstalled(cacheOf(trialRoot, i), alias), `trial ${trial}: ${alias} in its host's cache`);
      t.truthy((await readIndex(cacheOf(trialRoot, i)))?.dependencies[alias]);
      t.is((await loadAdaptor(cacheOf(trialRoot, i), alias)).name, specifier.slice(0, specifier.lastIndexOf('@')));
    }
    t.deepEqual(await readdir(path.join(repoDir, '.staging')), [], `trial ${trial}: no staging left`);
  }
});

test.serial('each adaptor resolves its own dependency versions from its folder in the cache', async (t) => {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'shared');
  const cacheDir = path.join(root, 'cache');
  // One host this time: four processes sharing its cache too.
  await Promise.all(installers.map((installer, i) => installer.install({ repoDir, cacheDir, specifier: DIFFERENT[i] as string })));
  const two = await loadAdaptor(cacheDir, aliasFor(fixtures.adaptorTwo));
  t.is(two.dependencies['@fleet-fixtures/util-a']?.version, '2.0.0');
  t.is(two.dependencies['@fleet-fixtures/util-b']?.dependencies['@fleet-fixtures/util-a']?.version, '1.0.0');
  const one = await loadAdaptor(cacheDir, aliasFor(fixtures.adaptorOne));
  t.is(one.dependencies['@fleet-fixtures/util-a']?.version, '1.0.0');
  const three = await loadAdaptor(cacheDir, aliasFor(fixtures.adaptorThree));
  t.is(three.dependencies['@fleet-fixtures/util-b']?.dependencies['@fleet-fixtures/util-a']?.version, '1.0.0');
  t.deepEqual((await readIndex(cacheDir))?.dependencies, Object.fromEntries(DIFFERENT.map((specifier) => [aliasFor(specifier), `npm:${specifier}`])));
});

test.serial('4 hosts install the SAME adaptor at once: one entry, one archive (rebuilds are byte-identical), a sound copy on every host', async (t) => {
  const root = await tempDir(t);
  const alias = aliasFor(fixtures.adaptorThree);
  for (let trial = 0; trial < 5; trial++) {
    const trialRoot = path.join(root, `trial-${trial}`);
    const repoDir = path.join(trialRoot, 'shared');
    const replies = await Promise.all(
      installers.map((installer, i) => installer.install({ repoDir, cacheDir: cacheOf(trialRoot, i), specifier: fixtures.adaptorThree })),
    );
    const outcomes = replies.map((reply) => (reply.ok ? reply.outcome : reply.message));
    t.true(outcomes.includes('installed'), `trial ${trial}: ${outcomes.join(', ')}`);
    t.true(outcomes.every((outcome) => ['installed', 'lost-race', 'materialized'].includes(outcome)), outcomes.join(', '));
    t.is((await readEntry(repoDir, alias)).state, 'found');
    const shared = await readdir(path.join(repoDir, 'adaptors', '@fleet-fixtures'));
    t.is(shared.filter((file) => file.endsWith('.tgz')).length, 1, shared.join(', '));
    for (const i of installers.keys()) t.is((await loadAdaptor(cacheOf(trialRoot, i), alias)).version, '1.0.0');
    t.deepEqual(await readdir(path.join(repoDir, '.staging')), []);
  }
});
