import { readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fixtures, postinstallMarker, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, install, isInstalled, sweepStaging } from '../src/index.js';
import { exists } from '../src/util/exists.js';
import { startInstaller } from './helpers/installers.js';
import { killStrays } from './helpers/kill-strays.js';
import { loadAdaptor } from './helpers/load-adaptor.js';
import { tempDir } from './helpers/temp-dir.js';

const TRIALS = 20;
const SPECIFIER = fixtures.adaptorThree; // has dependencies and a 1.5 s postinstall
const ALIAS = aliasFor(SPECIFIER);

let registry: LocalRegistry;

test.before(async () => {
  registry = await startRegistry();
  Object.assign(process.env, registry.env);
});

test.after.always(() => registry?.stop());

test(`an installer SIGKILLed at a random moment never leaves a partial adaptor (${TRIALS} trials)`, async (t) => {
  const root = await tempDir(t);
  const env = { ...process.env, ...registry.env };

  // Kill moments are spread over the whole length of an uninterrupted install.
  const started = Date.now();
  await install(path.join(root, 'timing'), SPECIFIER);
  const installMs = Date.now() - started;

  let killedBeforePublish = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const repo = path.join(root, `trial-${trial}`);
    const finalDir = path.join(repo, 'node_modules', ALIAS);
    const installer = await startInstaller(env);
    const exited = new Promise((resolve) => installer.child.once('exit', resolve));
    const replied = installer.install(repo, SPECIFIER).catch(() => undefined);

    // Poll the final path all through the trial: whenever it exists it must be complete.
    const partial: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        if ((await exists(finalDir)) && !(await exists(path.join(finalDir, postinstallMarker)))) {
          partial.push(`trial ${trial}: ${finalDir} visible without its postinstall marker`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const killAfter = Math.random() * installMs * 1.1;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, killAfter)), replied]);
    installer.child.kill('SIGKILL');
    await exited;
    await killStrays(repo);
    polling = false;
    await poller;

    t.deepEqual(partial, []);
    if (!(await exists(finalDir))) killedBeforePublish++;

    // A later install succeeds whatever the kill left behind, and the sweep clears the orphans.
    const later = await install(repo, SPECIFIER);
    t.true(['installed', 'repaired', 'already-installed'].includes(later.outcome), later.outcome);
    t.true(await isInstalled(repo, ALIAS));
    t.is((await loadAdaptor(repo, ALIAS)).version, '1.0.0');
    await sweepStaging(repo, { olderThanMs: 0 });
    t.deepEqual(await readdir(path.join(repo, '.staging')).catch(() => []), [], `trial ${trial}: orphans swept`);
  }
  t.log(`install takes ${installMs} ms; ${killedBeforePublish}/${TRIALS} kills landed before publish`);
  t.true(killedBeforePublish > 0, 'at least one kill interrupted an install');
});
