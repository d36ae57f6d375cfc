import { readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fixtures, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, isInstalled, readIndex } from '../src/index.js';
import { startInstaller, type Installer } from './helpers/installers.js';
import { loadAdaptor } from './helpers/load-adaptor.js';
import { tempDir } from './helpers/temp-dir.js';

// Real processes, real npm, a real (local) registry, and NO lock: the repo must be
// correct on its own. Installers are started once and reused across trials.

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

test.serial(`4 processes install 4 different adaptors into one fresh repo at once (${TRIALS} trials)`, async (t) => {
  const root = await tempDir(t);
  for (let trial = 0; trial < TRIALS; trial++) {
    const repo = path.join(root, `trial-${trial}`);
    const replies = await Promise.all(installers.map((installer, i) => installer.install(repo, DIFFERENT[i] as string)));
    t.deepEqual(
      replies.map((reply) => (reply.ok ? reply.outcome : reply.message)),
      DIFFERENT.map(() => 'installed'),
      `trial ${trial}`,
    );
    const index = await readIndex(repo);
    for (const specifier of DIFFERENT) {
      const alias = aliasFor(specifier);
      t.true(await isInstalled(repo, alias), `trial ${trial}: ${alias} installed`);
      t.truthy(index?.dependencies[alias], `trial ${trial}: ${alias} indexed`);
      t.is((await loadAdaptor(repo, alias)).name, specifier.slice(0, specifier.lastIndexOf('@')));
    }
    t.deepEqual(await readdir(path.join(repo, '.staging')), [], `trial ${trial}: no staging left`);
  }
});

test.serial('each adaptor resolves its own dependency versions from its final path', async (t) => {
  const repo = await tempDir(t);
  await Promise.all(installers.map((installer, i) => installer.install(repo, DIFFERENT[i] as string)));
  const two = await loadAdaptor(repo, aliasFor(fixtures.adaptorTwo));
  t.is(two.dependencies['@fleet-fixtures/util-a']?.version, '2.0.0');
  t.is(two.dependencies['@fleet-fixtures/util-b']?.dependencies['@fleet-fixtures/util-a']?.version, '1.0.0');
  const one = await loadAdaptor(repo, aliasFor(fixtures.adaptorOne));
  t.is(one.dependencies['@fleet-fixtures/util-a']?.version, '1.0.0');
  const three = await loadAdaptor(repo, aliasFor(fixtures.adaptorThree));
  t.is(three.dependencies['@fleet-fixtures/util-b']?.dependencies['@fleet-fixtures/util-a']?.version, '1.0.0');
});

test.serial('4 processes install the SAME adaptor at once: one published folder, one winner', async (t) => {
  const root = await tempDir(t);
  for (let trial = 0; trial < 5; trial++) {
    const repo = path.join(root, `trial-${trial}`);
    const replies = await Promise.all(installers.map((installer) => installer.install(repo, fixtures.adaptorThree)));
    const outcomes = replies.map((reply) => (reply.ok ? reply.outcome : reply.message));
    t.is(outcomes.filter((outcome) => outcome === 'installed').length, 1, `trial ${trial}: ${outcomes.join(', ')}`);
    t.true(outcomes.every((outcome) => ['installed', 'lost-race', 'already-installed'].includes(outcome)));
    const alias = aliasFor(fixtures.adaptorThree);
    t.deepEqual(await readdir(path.join(repo, 'node_modules', '@fleet-fixtures')), [alias.split('/')[1]]);
    t.is((await loadAdaptor(repo, alias)).version, '1.0.0');
    t.deepEqual(await readdir(path.join(repo, '.staging')), []);
  }
});
