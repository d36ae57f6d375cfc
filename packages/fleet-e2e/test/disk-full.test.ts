import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { publishLargeAdaptor, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, openRepo, readEntry } from '@fleet/repo';
import { lightningPlan, startFleet, type Fleet } from '../src/index.js';
import { testsUnless } from './helpers/tests-unless.js';

// A disk that fills during an install, as real workers meet it: the shared repo,
// or a host's cache, on a tmpfs too small for the adaptor (a generated one of
// realistic size: ~8,000 files, ~26 MB unpacked, ~2.4 MB packed). The run fails
// with an error that says so, nothing is published, and once there is space
// again the next run installs it and succeeds.

const run = promisify(execFile);
const WHITELIST = '^@fleet-fixtures/';

async function tmpfsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const probe = await mkdtemp(path.join(os.tmpdir(), 'fleet-tmpfs-probe-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    await run('umount', [probe]);
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs (${(error as Error).message.split('\n')[0]})`;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

const unavailable = await tmpfsUnavailable();
testsUnless(unavailable, 'Disk-full tests', defineTests);

function defineTests(): void {
  let registry: LocalRegistry;
  let large: string;

  test.before(async () => {
    registry = await startRegistry({ publishFixtures: false });
    // This process installs too, as another host would.
    Object.assign(process.env, registry.env);
    large = await publishLargeAdaptor(registry.url);
  });

  test.after.always(() => registry?.stop());

  /** A folder that is a tmpfs of `size` (as mount takes it: 1m, 8m) until the test ends. */
  async function tmpfs(t: ExecutionContext, size: string): Promise<{ dir: string; grow(to: string): Promise<void> }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fleet-tmpfs-'));
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    t.teardown(async () => {
      await run('umount', ['-l', dir]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    });
    return { dir, grow: async (to) => void (await run('mount', ['-o', `remount,size=${to}`, dir])) };
  }

  async function fleetOn(t: ExecutionContext, repoDir: string, cacheDir: string): Promise<Fleet> {
    const fleet = await startFleet({ workers: 0, whitelist: WHITELIST, env: { ...process.env, ...registry.env }, repoDir });
    t.teardown(() => fleet.stop());
    const worker = await fleet.addWorker('worker-1', { cacheDir, capacity: 1 });
    // Its start-up check of the repo and cache dirs writes probes into their staging folders:
    // done before the test looks at what is left there.
    const deadline = Date.now() + 30_000;
    while (!worker.logs.some((line) => line.msg.startsWith('Repo dir check'))) {
      if (Date.now() > deadline) throw new Error('the worker never logged its repo dir check');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return fleet;
  }

  /** The worker's last lines, to see why when a run did not end as expected. */
  const lastLines = (fleet: Fleet): string => fleet.workers.flatMap((worker) => worker.logs.slice(-15).map((line) => `${worker.name}: ${line.msg}`)).join('\n');

  const runOn = async (fleet: Fleet) => {
    const [done] = await fleet.mock.waitForAll([fleet.mock.enqueueRun(lightningPlan([{ adaptor: large, body: 'fn(s => ({ ...s, ran: true }));' }]))], { timeoutMs: 180_000 });
    return done;
  };

  test.serial('the shared repo fills while an archive is published: the run fails saying so, nothing is published; with space, the next run succeeds', async (t) => {
    const shared = await tmpfs(t, '1m');
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'fleet-cache-'));
    t.teardown(() => rm(cacheDir, { recursive: true, force: true }));
    const fleet = await fleetOn(t, shared.dir, cacheDir);

    const failed = await runOn(fleet);
    t.is(failed?.status, 'exception', lastLines(fleet));
    t.regex(failed?.errorMessage ?? '', /Could not install @fleet-fixtures\/language-large@1\.0\.0: Could not publish @fleet-fixtures\/language-large_1\.0\.0 to the shared repo .*: ENOSPC: no space left on device.*; nothing was published/);
    t.is((await readEntry(shared.dir, aliasFor(large))).state, 'absent');
    t.deepEqual(await readdir(path.join(shared.dir, '.staging')), [], 'no half-written archive is left');
    t.deepEqual(await readdir(path.join(cacheDir, '.staging')), [], 'nor a build');

    await shared.grow('64m');
    const succeeded = await runOn(fleet);
    t.is(succeeded?.status, 'success', succeeded?.errorMessage ?? '');
    t.is((await readEntry(shared.dir, aliasFor(large))).state, 'found');
  });

  test.serial('a host cache fills while npm builds: the run fails saying so, nothing is published; with space, the next run succeeds', async (t) => {
    const cache = await tmpfs(t, '8m');
    const repoDir = await mkdtemp(path.join(os.tmpdir(), 'fleet-repo-'));
    t.teardown(() => rm(repoDir, { recursive: true, force: true }));
    const fleet = await fleetOn(t, repoDir, cache.dir);

    const failed = await runOn(fleet);
    t.is(failed?.status, 'exception', lastLines(fleet));
    t.log(failed?.errorMessage);
    t.regex(failed?.errorMessage ?? '', /Could not install @fleet-fixtures\/language-large@1\.0\.0: .*(ENOSPC|no space left on device)/);
    t.is((await readEntry(repoDir, aliasFor(large))).state, 'absent', 'a build cut short by the full disk is not published');
    t.deepEqual(await readdir(path.join(cache.dir, '.staging')), [], 'the stage is removed, freeing the space');

    await cache.grow('256m');
    const succeeded = await runOn(fleet);
    t.is(succeeded?.status, 'success', succeeded?.errorMessage ?? '');
    t.is((await readEntry(repoDir, aliasFor(large))).state, 'found');
  });

  test.serial('a host cache fills while an archive is extracted: the run fails saying so; with space, the next run succeeds, without npm', async (t) => {
    const repoDir = await mkdtemp(path.join(os.tmpdir(), 'fleet-repo-'));
    t.teardown(() => rm(repoDir, { recursive: true, force: true }));
    // Another host, with room, published it.
    const otherCache = await mkdtemp(path.join(os.tmpdir(), 'fleet-cache-'));
    t.teardown(() => rm(otherCache, { recursive: true, force: true }));
    const other = openRepo({ repoDir, cacheDir: otherCache });
    await other.ensure(large);
    await other.close();
    const cache = await tmpfs(t, '8m');
    const fleet = await fleetOn(t, repoDir, cache.dir);

    const downloads = registry.tarballRequests();
    const failed = await runOn(fleet);
    t.is(failed?.status, 'exception', lastLines(fleet));
    t.regex(failed?.errorMessage ?? '', /Could not materialize @fleet-fixtures\/language-large_1\.0\.0 into the local cache .*: ENOSPC: no space left on device/);
    t.deepEqual(await readdir(path.join(cache.dir, '.staging')), []);

    await cache.grow('256m');
    const succeeded = await runOn(fleet);
    t.is(succeeded?.status, 'success', succeeded?.errorMessage ?? '');
    t.is(registry.tarballRequests() - downloads, 0, 'the host never ran npm: it materialized the archive');
  });
}
