import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import esmock from 'esmock';
import { silentLogger, withInstallLock, type LockEvent } from '../src/index.js';
import type { LockOwner } from '../src/lock/lock-owner.js';
import { tempDir } from './helpers/temp-dir.js';

test('refuses unsafe aliases before building any path, and bad windows', async (t) => {
  const repoDir = await tempDir(t);
  for (const alias of ['../evil_1.0.0', '/abs/evil_1.0.0', '@../evil_1.0.0']) {
    await t.throwsAsync(withInstallLock(repoDir, alias, silentLogger, async () => 'ran'), { name: 'InvalidSpecifierError' });
  }
  await t.throwsAsync(withInstallLock(repoDir, 'a_1.0.0', silentLogger, async () => 'ran', { staleMs: 1000 }), {
    instanceOf: RangeError,
  });
  t.deepEqual(await readdir(repoDir), []);
});

test('releases on error: the error propagates and the next caller gets the lock', async (t) => {
  const repoDir = await tempDir(t);
  await t.throwsAsync(
    withInstallLock(repoDir, 'a_1.0.0', silentLogger, async () => {
      throw new Error('npm broke');
    }),
    { message: 'npm broke' },
  );
  const events: string[] = [];
  const result = await withInstallLock(repoDir, 'a_1.0.0', silentLogger, async () => 'second', {
    onEvent: (event) => events.push(event.type),
  });
  t.is(result, 'second');
  t.deepEqual(events, ['acquired', 'released']);
});

test('a lock lost while held is logged and the work finishes; nothing throws from a timer', async (t) => {
  const repoDir = await tempDir(t);
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  let compromised: () => void = () => {};
  const lost = new Promise<void>((resolve) => (compromised = resolve));
  const result = await withInstallLock(
    repoDir,
    'a_1.0.0',
    logger,
    async () => {
      // Someone else removes our lock (as a waiter that wrongly judged it stale would).
      await rm(path.join(repoDir, '.locks', 'a_1.0.0.lock.lock'), { recursive: true });
      // proper-lockfile's heartbeat timer is unref'd: while only it is pending, something
      // must keep this process alive, as npm's child process does during a real install.
      const alive = setInterval(() => undefined, 1000);
      await lost.finally(() => clearInterval(alive));
      return 'finished';
    },
    { heartbeatMs: 1000, staleMs: 2000, onEvent: (event) => event.type === 'compromised' && compromised() },
  );
  t.is(result, 'finished');
  t.true(warnings.some((line) => line.startsWith('Lost the install lock of a_1.0.0')));
});

test('a lock another worker also believes it holds (its owner record replaced ours) is reported; the work still runs', async (t) => {
  const repoDir = await tempDir(t);
  const ownerModule = await import('../src/lock/lock-owner.js');
  // Another host whose mkdir the filesystem also let succeed writes its record just after ours.
  const { withInstallLock: withLock } = await esmock<typeof import('../src/lock/repo-lock.js')>('../src/lock/repo-lock.ts', {
    '../src/lock/lock-owner.ts': {
      ...ownerModule,
      writeOwner: async (file: string, owner: LockOwner) => {
        await ownerModule.writeOwner(file, owner);
        await ownerModule.writeOwner(file, { ...owner, host: 'host-b', pid: 77, workerId: 'w-b', token: 'not-ours' });
      },
    },
  });
  const warnings: string[] = [];
  const events: LockEvent[] = [];
  const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  const result = await withLock(repoDir, 'a_1.0.0', logger, async () => 'installed', { onEvent: (event) => events.push(event) });
  t.is(result, 'installed');
  t.deepEqual(
    events.map((event) => event.type),
    ['compromised', 'acquired', 'released'],
  );
  t.regex(warnings[0] ?? '', /^The install lock of a_1\.0\.0 is not ours alone \(worker w-b, pid 77 on host-b, .* holds it too/);
});
