import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fixtures, postinstallMarker, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, entryPath, isInstalled, openRepo, readEntry } from '../src/index.js';
import { integrityOf } from '../src/archive/pack.js';
import { exists } from '../src/util/exists.js';
import { startInstaller } from './helpers/installers.js';
import { killStrays } from './helpers/kill-strays.js';
import { loadAdaptor } from './helpers/load-adaptor.js';
import { tempDir } from './helpers/temp-dir.js';

const TRIALS = 20;
// It has dependencies and a 1.5 s postinstall: install scripts on, to widen the window.
const SPECIFIER = fixtures.adaptorThree;
const ALIAS = aliasFor(SPECIFIER);

let registry: LocalRegistry;

test.before(async () => {
  registry = await startRegistry();
  Object.assign(process.env, registry.env);
});

test.after.always(() => registry?.stop());

/** Whatever is visible at a final path must be whole: a cache folder with its postinstall done, an entry whose archive matches it. */
async function partialAt(repoDir: string, cacheDir: string): Promise<string | undefined> {
  const folder = path.join(cacheDir, 'node_modules', ALIAS);
  if ((await exists(folder)) && !(await exists(path.join(folder, postinstallMarker)))) return `${folder} visible without its postinstall marker`;
  const found = await readEntry(repoDir, ALIAS);
  if (found.state === 'corrupt') return `the entry of ${ALIAS} is corrupt: ${found.reason}`;
  if (found.state === 'found') {
    const archive = await readFile(path.join(path.dirname(entryPath(repoDir, ALIAS)), found.entry.archive)).catch(() => undefined);
    if (!archive || integrityOf(archive) !== found.entry.integrity) return `the entry of ${ALIAS} names an archive that is missing or incomplete`;
  }
  return undefined;
}

test(`an installer SIGKILLed at a random moment never leaves a partial adaptor (${TRIALS} trials)`, async (t) => {
  const root = await tempDir(t);
  const env = { ...process.env, ...registry.env };

  // Kill moments are spread over the whole length of an uninterrupted install.
  const started = Date.now();
  const timing = openRepo({ repoDir: path.join(root, 'timing', 'shared'), cacheDir: path.join(root, 'timing', 'cache'), installScripts: true });
  await timing.ensure(SPECIFIER);
  const installMs = Date.now() - started;

  let killedBeforePublish = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const repoDir = path.join(root, `trial-${trial}`, 'shared');
    const cacheDir = path.join(root, `trial-${trial}`, 'cache');
    const installer = await startInstaller(env);
    const exited = new Promise((resolve) => installer.child.once('exit', resolve));
    const replied = installer.install({ repoDir, cacheDir, specifier: SPECIFIER, lockRepo: true, installScripts: true }).catch(() => undefined);

    // Poll the final paths all through the trial: whatever is there must be complete.
    const partial: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const found = await partialAt(repoDir, cacheDir);
        if (found) partial.push(`trial ${trial}: ${found}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const killAfter = Math.random() * installMs * 1.1;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, killAfter)), replied]);
    installer.child.kill('SIGKILL');
    await exited;
    await killStrays(path.dirname(repoDir));
    polling = false;
    await poller;

    t.deepEqual(partial, []);
    if ((await readEntry(repoDir, ALIAS)).state === 'absent') killedBeforePublish++;

    // A later install succeeds whatever the kill left behind (the dead holder's lock
    // is taken over at once on this host), and the sweep clears the orphans.
    const later = openRepo({ repoDir, cacheDir, installScripts: true });
    const { outcome } = await later.ensure(SPECIFIER);
    t.true(['installed', 'materialized', 'already-installed'].includes(outcome), outcome);
    t.true(await isInstalled(cacheDir, ALIAS));
    t.is((await loadAdaptor(cacheDir, ALIAS)).version, '1.0.0');
    await later.sweep(0);
    t.deepEqual(await readdir(path.join(repoDir, '.staging')).catch(() => []), [], `trial ${trial}: shared orphans swept`);
    t.deepEqual(await readdir(path.join(cacheDir, '.staging')).catch(() => []), [], `trial ${trial}: local orphans swept`);
  }
  t.log(`install takes ${installMs} ms; ${killedBeforePublish}/${TRIALS} kills landed before publish`);
  t.true(killedBeforePublish > 0, 'at least one kill interrupted an install');
});
