import { readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fixtures, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, isInstalled, readEntry } from '@fleet/repo';
import { startWorker, type LockWorker } from './helpers/lock-workers.js';
import { tempDir } from './helpers/temp-dir.js';

// Real processes, real files, real npm installs from the local registry; no mocks
// of the lock or of npm. Short windows keep the suite quick.
const FAST = { staleMs: 3000, heartbeatMs: 1000, pollMs: 100 };

let registry: LocalRegistry;

test.before(async () => {
  registry = await startRegistry();
});

test.after.always(() => registry?.stop());

const envWithCache = (cacheDir: string): NodeJS.ProcessEnv => ({ ...process.env, ...registry.env, npm_config_cache: cacheDir });

const exitOf = (worker: LockWorker): Promise<unknown> =>
  worker.child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => worker.child.once('exit', resolve));

for (const count of [2, 4]) {
  test.serial(`${count} processes needing the same adaptor at once: exactly one npm install`, async (t) => {
    const root = await tempDir(t);
    const repoDir = path.join(root, 'repo');
    const specifier = fixtures.adaptorThree;
    const name = '@fleet-fixtures/adaptor-three';
    const before = registry.tarballRequests(name);
    // Separate npm caches: every npm install that runs downloads the tarball once.
    const workers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startWorker(
          { repoDir, cacheDir: path.join(root, `local-${i}`), specifier, lockRepo: true, work: 'install', lock: FAST, installScripts: true },
          { env: envWithCache(path.join(root, `cache-${i}`)) },
        ),
      ),
    );
    t.teardown(() => workers.forEach(({ child }) => child.kill()));
    const results = await Promise.all(workers.map((worker) => worker.done()));
    const outcomes = results.map((result) => (result.type === 'done' ? result.outcome : result.message));
    t.deepEqual(outcomes.filter((outcome) => outcome === 'installed'), ['installed'], outcomes.join(', '));
    // The others materialized its archive once they got the lock, or (started late) without waiting for it.
    t.true(outcomes.every((outcome) => ['installed', 'materialized'].includes(outcome)), outcomes.join(', '));
    t.is(registry.tarballRequests(name) - before, 1, 'one download of the adaptor across the fleet');
    for (let i = 0; i < count; i++) t.true(await isInstalled(path.join(root, `local-${i}`), aliasFor(specifier)));

    const waiters = workers.filter((worker) => worker.events().some((event) => event.type === 'wait'));
    t.true(waiters.length >= 1, 'started together, someone had to wait');
    for (const waiter of waiters) {
      const waitLines = waiter.logs('info').filter((line) => line.startsWith('Waiting for the install lock'));
      t.is(waitLines.length, 1, 'exactly one info line when a caller has to wait');
      t.regex(waitLines[0] ?? '', /adaptor-three_1\.0\.0, held by (pid \d+ on .+|an unknown holder)/);
    }
  });
}

test.serial('an uncontended lock logs nothing at info level and leaves no lock behind', async (t) => {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'repo');
  const worker = await startWorker(
    { repoDir, cacheDir: path.join(root, 'local'), specifier: fixtures.languageFixtureLatest, lockRepo: true, work: 'hold', lock: FAST },
    { env: envWithCache(path.join(root, 'cache')) },
  );
  await worker.next((m) => m.type === 'holding');
  worker.release();
  t.is((await worker.done()).type, 'done');
  worker.child.kill();
  t.deepEqual(worker.logs('info'), []);
  t.deepEqual(worker.logs('warn'), []);
  t.deepEqual(
    worker.events().map((event) => event.type),
    ['acquired', 'released'],
  );
  t.deepEqual(await readdir(path.join(repoDir, '.locks')), [], 'lock and owner record removed on release');
});

test.serial('a holder SIGKILLed mid-install: a waiter on the same host takes over at once and installs', async (t) => {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'repo');
  const specifier = fixtures.adaptorSlow;
  // The default stale window: the takeover must not need it, the holder's pid is gone.
  const lock = { pollMs: 100 };
  const holder = await startWorker(
    { repoDir, cacheDir: path.join(root, 'local-a'), specifier, lockRepo: true, work: 'install', lock, installScripts: true },
    { env: envWithCache(path.join(root, 'cache-a')) },
  );
  await holder.next((m) => m.type === 'holding');
  const waiter = await startWorker(
    { repoDir, cacheDir: path.join(root, 'local-b'), specifier, lockRepo: true, work: 'install', lock, installScripts: true },
    { env: envWithCache(path.join(root, 'cache-b')) },
  );
  t.teardown(() => [holder, waiter].forEach(({ child }) => child.kill('SIGKILL')));
  await waiter.next((m) => m.type === 'event' && m.event.type === 'wait');
  holder.child.kill('SIGKILL');
  await exitOf(holder);

  const result = await waiter.done();
  t.deepEqual(result.type === 'done' ? result.outcome : result, 'installed');
  const takeover = waiter.events().find((event) => event.type === 'takeover');
  t.is(takeover?.reason, 'holder-gone');
  const acquired = waiter.events().find((event) => event.type === 'acquired');
  t.log(`the waiter waited ${String(acquired?.waitedMs)} ms (holder killed while npm ran)`);
  t.true(typeof acquired?.waitedMs === 'number' && (acquired.waitedMs as number) < 10_000, 'faster than the stale window');
  t.true(waiter.logs('warn').some((line) => /Taking over the install lock .* its process is gone/.test(line)));
  t.true(await isInstalled(path.join(root, 'local-b'), aliasFor(specifier)));
  t.is((await readEntry(repoDir, aliasFor(specifier))).state, 'found');
});

test.serial('a holder that stops heartbeating (alive, as seen from another host) is taken over after the stale window', async (t) => {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'repo');
  const job = { repoDir, cacheDir: path.join(root, 'local'), specifier: fixtures.languageFixtureLatest, lockRepo: true, work: 'hold' as const, lock: FAST };
  const holder = await startWorker(job, { env: envWithCache(path.join(root, 'cache-a')) });
  await holder.next((m) => m.type === 'holding');
  holder.child.kill('SIGSTOP'); // frozen: its pid exists but it no longer heartbeats
  t.teardown(() => holder.child.kill('SIGKILL'));
  const waiter = await startWorker({ ...job, holdersLookAlive: true }, { env: envWithCache(path.join(root, 'cache-b')) });
  t.teardown(() => waiter.child.kill('SIGKILL'));
  await waiter.next((m) => m.type === 'holding');
  const takeover = waiter.events().find((event) => event.type === 'takeover');
  t.is(takeover?.reason, 'stale');
  const waitedMs = waiter.events().find((event) => event.type === 'acquired')?.waitedMs as number;
  t.log(`taken over after ${waitedMs} ms with staleMs ${FAST.staleMs}`);
  t.true(waitedMs >= FAST.staleMs, 'not before the stale window');
  waiter.release();
  await waiter.done();
});

test.serial('a holder whose clock is 60 s behind is not declared stale while it heartbeats', async (t) => {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'repo');
  const job = { repoDir, cacheDir: path.join(root, 'local'), specifier: fixtures.languageFixtureLatest, lockRepo: true, work: 'hold' as const, lock: FAST };
  const holder = await startWorker(job, { env: envWithCache(path.join(root, 'cache-a')), skewClockMs: -60_000 });
  t.teardown(() => holder.child.kill('SIGKILL'));
  await holder.next((m) => m.type === 'holding');
  const waiter = await startWorker({ ...job, holdersLookAlive: true }, { env: envWithCache(path.join(root, 'cache-b')) });
  t.teardown(() => waiter.child.kill('SIGKILL'));
  await waiter.next((m) => m.type === 'event' && m.event.type === 'wait');

  // Hold for two full stale windows, measured by the waiter's progress: the waiter
  // must still be waiting, not holding.
  const deadline = Date.now() + 2 * FAST.staleMs;
  while (Date.now() < deadline) {
    t.false(waiter.messages.some((m) => m.type === 'holding'), 'the waiter took a live lock');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  holder.release();
  const held = await holder.done();
  const acquired = await waiter.next((m) => m.type === 'holding');
  t.deepEqual(
    waiter.events().filter((event) => event.type === 'takeover'),
    [],
  );
  t.true(held.type === 'done' && acquired.type === 'holding' && acquired.at >= (held.heldTo ?? Infinity) - 5);
  t.deepEqual(
    holder.events().filter((event) => event.type === 'compromised'),
    [],
  );
  waiter.release();
  await waiter.done();
});

test.serial('different adaptors never wait on each other: lock hold intervals overlap', async (t) => {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'repo');
  const specifiers = [fixtures.adaptorSlow, fixtures.adaptorThree];
  const workers = await Promise.all(
    specifiers.map((specifier, i) =>
      startWorker(
        { repoDir, cacheDir: path.join(root, `local-${i}`), specifier, lockRepo: true, work: 'install', lock: FAST, installScripts: true },
        { env: envWithCache(path.join(root, `cache-${i}`)) },
      ),
    ),
  );
  t.teardown(() => workers.forEach(({ child }) => child.kill()));
  const [slow, three] = (await Promise.all(workers.map((worker) => worker.done()))) as Array<{
    type: 'done';
    heldFrom: number;
    heldTo: number;
  }>;
  t.true(slow !== undefined && three !== undefined);
  t.true((slow?.heldFrom ?? 0) < (three?.heldTo ?? 0) && (three?.heldFrom ?? 0) < (slow?.heldTo ?? 0), 'intervals overlap');
  t.true(workers.every((worker) => !worker.events().some((event) => event.type === 'wait')));
});

test.serial('two waiters reclaiming a dead holder’s lock together is harmless', async (t) => {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'repo');
  const specifier = fixtures.adaptorThree;
  const job = { repoDir, specifier, lockRepo: true, work: 'install' as const, lock: { ...FAST, pollMs: 50 } };
  const holder = await startWorker({ ...job, cacheDir: path.join(root, 'local-h'), work: 'hold' }, { env: envWithCache(path.join(root, 'cache-h')) });
  await holder.next((m) => m.type === 'holding');
  const waiters = await Promise.all(
    [0, 1, 2].map((i) => startWorker({ ...job, cacheDir: path.join(root, `local-${i}`) }, { env: envWithCache(path.join(root, `cache-${i}`)) })),
  );
  t.teardown(() => [holder, ...waiters].forEach(({ child }) => child.kill('SIGKILL')));
  await Promise.all(waiters.map((waiter) => waiter.next((m) => m.type === 'event' && m.event.type === 'wait')));
  holder.child.kill('SIGKILL');
  const results = await Promise.all(waiters.map((waiter) => waiter.done()));
  const outcomes = results.map((result) => (result.type === 'done' ? result.outcome : result.message));
  t.true(outcomes.every((outcome) => ['installed', 'lost-race', 'materialized'].includes(outcome)), outcomes.join(', '));
  t.true(outcomes.includes('installed'));
  t.deepEqual(
    (await readdir(path.join(repoDir, 'adaptors', '@fleet-fixtures'))).filter((file) => file.endsWith('.json')),
    ['adaptor-three_1.0.0.json'],
  );
  for (const i of [0, 1, 2]) t.true(await isInstalled(path.join(root, `local-${i}`), aliasFor(specifier)));
});

test.serial('lockRepo off: concurrent installs still succeed and no .locks folder appears', async (t) => {
  const root = await tempDir(t);
  const repoDir = path.join(root, 'repo');
  const workers = await Promise.all(
    [0, 1].map((i) =>
      startWorker(
        { repoDir, cacheDir: path.join(root, `local-${i}`), specifier: fixtures.adaptorOne, lockRepo: false, work: 'install' },
        { env: envWithCache(path.join(root, `cache-${i}`)) },
      ),
    ),
  );
  t.teardown(() => workers.forEach(({ child }) => child.kill()));
  const results = await Promise.all(workers.map((worker) => worker.done()));
  t.true(results.every((result) => result.type === 'done'));
  for (const i of [0, 1]) t.true(await isInstalled(path.join(root, `local-${i}`), aliasFor(fixtures.adaptorOne)));
  t.false((await readdir(repoDir)).includes('.locks'));
});
