import path from 'node:path';
import test from 'ava';
import esmock from 'esmock';
import { silentLogger, type ExactSpecifier, type InstallOutcome } from '@fleet/repo';
import type * as AutoinstallModule from '../src/api/autoinstall.js';
import type { AutoinstallRequest } from '../src/api/autoinstall.js';
import type { ExecutionPlan } from '@fleet/runtime';
import type { AutoinstallEvents } from '../src/types.js';

// Unit tests of the queue: the repo and the lock are replaced, so these tests see
// exactly which installs, lookups and locks the queue asks for.

interface Fakes {
  installed: Set<string>;
  installs: Array<{ repoDir: string; specifier: string }>;
  lookups: string[];
  locks: Array<{ repoDir: string; alias: string }>;
  active: number;
  maxActive: number;
  /** Lets a test hold installs open or make them fail. */
  installGate: (specifier: string) => Promise<void>;
}

async function loadQueue(fakes: Partial<Fakes> = {}) {
  const state: Fakes = {
    installed: new Set(),
    installs: [],
    lookups: [],
    locks: [],
    active: 0,
    maxActive: 0,
    installGate: async () => undefined,
    ...fakes,
  };
  const repo = {
    isInstalled: async (repoDir: string, alias: string) => state.installed.has(path.join(repoDir, alias)),
    install: async (repoDir: string, specifier: string): Promise<{ outcome: InstallOutcome }> => {
      state.installs.push({ repoDir, specifier });
      state.active += 1;
      state.maxActive = Math.max(state.maxActive, state.active);
      try {
        await state.installGate(specifier);
      } finally {
        state.active -= 1;
      }
      const at = specifier.lastIndexOf('@');
      state.installed.add(path.join(repoDir, `${specifier.slice(0, at)}_${specifier.slice(at + 1)}`));
      return { outcome: 'installed' };
    },
    resolveVersion: async (specifier: string): Promise<ExactSpecifier> => {
      state.lookups.push(specifier);
      const at = specifier.lastIndexOf('@');
      const name = specifier.slice(0, at);
      const selector = specifier.slice(at + 1);
      if (selector === 'missing') throw new Error(`no version of ${name} matches`);
      return { kind: 'exact', name, version: /^\d/.test(selector) ? selector : '9.9.9' };
    },
    withInstallLock: async (repoDir: string, alias: string, _logger: unknown, fn: () => Promise<unknown>) => {
      state.locks.push({ repoDir, alias });
      return fn();
    },
  };
  const module = await esmock<typeof AutoinstallModule>('../src/api/autoinstall.ts', {}, { '@fleet/repo': repo });
  return { ...module, state };
}

type Recorded = Array<{ event: keyof AutoinstallEvents; payload: AutoinstallEvents[keyof AutoinstallEvents] }>;

function request(adaptorsPerStep: string[][], overrides: Partial<AutoinstallRequest> = {}) {
  const events: Recorded = [];
  const plan: ExecutionPlan = {
    id: 'run-1',
    workflow: {
      steps: [
        { id: 'trigger', next: { 'job-0': true } },
        ...adaptorsPerStep.map((adaptors, i) => ({ id: `job-${i}`, expression: 'fn(s => s)', adaptors })),
      ],
    },
  };
  const entry: AutoinstallRequest = {
    plan,
    context: { emit: (event, payload) => events.push({ event, payload }) },
    repoDir: '/repo',
    logger: silentLogger,
    useLock: true,
    ...overrides,
  };
  return { entry, events };
}

const deferred = () => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

const whitelist = [/^@openfn\//];

test('installs what is missing under the lock and links every step to the installed folder', async (t) => {
  const { createAutoinstall, state } = await loadQueue();
  const { entry, events } = request([['@openfn/language-common@1.0.0'], ['@openfn/language-http@2.0.0']]);
  const linked = await createAutoinstall({ whitelist })(entry);

  t.deepEqual(state.installs.map((i) => i.specifier).sort(), ['@openfn/language-common@1.0.0', '@openfn/language-http@2.0.0']);
  t.deepEqual(state.locks.map((l) => l.alias).sort(), ['@openfn/language-common_1.0.0', '@openfn/language-http_2.0.0']);
  t.deepEqual(
    events.map((e) => [e.event, e.payload.module, e.payload.version, (e.payload as { outcome?: string }).outcome]).sort(),
    [
      ['autoinstall-complete', '@openfn/language-common', '1.0.0', 'installed'],
      ['autoinstall-complete', '@openfn/language-http', '2.0.0', 'installed'],
    ],
  );
  t.true(events.every((e) => typeof e.payload.duration === 'number'));
  t.deepEqual(linked.workflow.steps[1], {
    id: 'job-0',
    expression: 'fn(s => s)',
    adaptors: ['@openfn/language-common@1.0.0'],
    linker: { '@openfn/language-common': { path: '/repo/node_modules/@openfn/language-common_1.0.0', version: '1.0.0' } },
  });
  t.deepEqual(linked.workflow.steps[0], { id: 'trigger', next: { 'job-0': true } }, 'triggers are left alone');
  t.false('linker' in (entry.plan.workflow.steps[1] as object), 'the caller’s plan is not mutated');
});

test('an installed adaptor takes the fast path: no lock, no install, no event', async (t) => {
  const { createAutoinstall, state } = await loadQueue({ installed: new Set(['/repo/@openfn/language-common_1.0.0']) });
  const { entry, events } = request([['@openfn/language-common@1.0.0']]);
  const linked = await createAutoinstall({ whitelist })(entry);
  t.deepEqual([state.installs, state.locks, events], [[], [], []]);
  t.is((linked.workflow.steps[1] as { linker?: object }).linker !== undefined, true);
});

test('every entry keeps its own context, repo directory, logger and lock choice', async (t) => {
  const gate = deferred();
  const { createAutoinstall, state } = await loadQueue({ installGate: () => gate.promise });
  const autoinstall = createAutoinstall({ whitelist });
  const logs: Record<string, string[]> = { a: [], b: [] };
  const loggerFor = (key: 'a' | 'b') => ({ ...silentLogger, error: (line: string) => logs[key]?.push(line) });
  const first = request([['@openfn/language-common@1.0.0']], { repoDir: '/repo-a', logger: loggerFor('a'), useLock: true });
  const second = request([['@openfn/language-common@1.0.0']], { repoDir: '/repo-b', logger: loggerFor('b'), useLock: false });
  const runs = [autoinstall(first.entry), autoinstall(second.entry)];
  gate.resolve();
  const [linkedA, linkedB] = await Promise.all(runs);

  t.deepEqual(state.installs.map((i) => i.repoDir).sort(), ['/repo-a', '/repo-b'], 'one install per repo directory');
  t.deepEqual(state.locks, [{ repoDir: '/repo-a', alias: '@openfn/language-common_1.0.0' }], 'only the entry that asked takes the lock');
  t.is(first.events.length, 1);
  t.is(second.events.length, 1);
  const pathOf = (plan: ExecutionPlan | undefined) =>
    (plan?.workflow.steps[1] as { linker: Record<string, { path: string }> }).linker['@openfn/language-common']?.path;
  t.is(pathOf(linkedA), '/repo-a/node_modules/@openfn/language-common_1.0.0');
  t.is(pathOf(linkedB), '/repo-b/node_modules/@openfn/language-common_1.0.0');
});

test('runs needing the same adaptor share one in-flight install, and each gets its event', async (t) => {
  const gate = deferred();
  const { createAutoinstall, state } = await loadQueue({ installGate: () => gate.promise });
  const autoinstall = createAutoinstall({ whitelist });
  const runs = [1, 2, 3].map(() => request([['@openfn/language-common@1.0.0']]));
  const pending = runs.map((run) => autoinstall(run.entry));
  gate.resolve();
  await Promise.all(pending);
  t.is(state.installs.length, 1);
  t.is(state.locks.length, 1);
  t.deepEqual(
    runs.map((run) => run.events.map((e) => e.event)),
    [['autoinstall-complete'], ['autoinstall-complete'], ['autoinstall-complete']],
  );
});

test('different adaptors install side by side, never more than the bound at once', async (t) => {
  const gates = new Map<string, ReturnType<typeof deferred>>();
  const { createAutoinstall, state } = await loadQueue({
    installGate: (specifier) => {
      const gate = deferred();
      gates.set(specifier, gate);
      return gate.promise;
    },
  });
  const names = ['a', 'b', 'c', 'd'].map((letter) => `@openfn/language-${letter}@1.0.0`);
  const { entry } = request([names]);
  const run = createAutoinstall({ whitelist, concurrency: 2 })(entry);
  // Release installs one by one as they start, until all four have run.
  for (let released = 0; released < names.length; released += 1) {
    await until(() => gates.size > released);
    t.true(state.active <= 2);
    [...gates.values()][released]?.resolve();
  }
  await run;
  t.is(state.installs.length, 4);
  t.is(state.maxActive, 2, 'two at a time: concurrent, and bounded');
});

test('a non-whitelisted adaptor fails the run with an error naming it, before anything is looked up or installed', async (t) => {
  const { createAutoinstall, state } = await loadQueue();
  const { entry, events } = request([['@openfn/language-common@1.0.0', 'left-pad@1.3.0']]);
  const error = await t.throwsAsync(createAutoinstall({ whitelist })(entry), { name: 'AutoinstallError' });
  t.regex(error?.message ?? '', /not allowed on this worker: left-pad@1\.3\.0 \(the whitelist is \/\^@openfn\\\/\/\)/);
  t.deepEqual((error as unknown as { adaptors: string[] }).adaptors, ['left-pad@1.3.0']);
  t.deepEqual([state.lookups, state.installs, events], [[], [], []]);
});

test('a malformed specifier is refused with an error naming it, and nothing is attempted', async (t) => {
  const { createAutoinstall, state } = await loadQueue();
  const { entry } = request([['@openfn/../../etc@1.0.0']]);
  await t.throwsAsync(createAutoinstall({ whitelist })(entry), { name: 'InvalidSpecifierError', message: /@openfn\/\.\.\/\.\.\/etc/ });
  t.deepEqual([state.lookups, state.installs], [[], []]);
});

test('a failed install emits autoinstall-error, fails the run naming the adaptor, and the next run retries', async (t) => {
  let failures = 1;
  const { createAutoinstall, state } = await loadQueue({
    installGate: async () => {
      if (failures-- > 0) throw new Error('npm install failed (exit 1): ETARGET');
    },
  });
  const autoinstall = createAutoinstall({ whitelist });
  const first = request([['@openfn/language-common@1.0.0', '@openfn/language-http@2.0.0']]);
  const error = await t.throwsAsync(autoinstall(first.entry), { name: 'AutoinstallError' });
  t.regex(error?.message ?? '', /Could not install @openfn\/language-(common|http)@[\d.]+: npm install failed \(exit 1\): ETARGET/);
  const failed = first.events.filter((e) => e.event === 'autoinstall-error');
  t.is(failed.length, 1);
  t.like(failed[0]?.payload, { message: 'npm install failed (exit 1): ETARGET' });
  t.is(first.events.filter((e) => e.event === 'autoinstall-complete').length, 1, 'the other adaptor still installs');

  const second = request([['@openfn/language-common@1.0.0', '@openfn/language-http@2.0.0']]);
  await autoinstall(second.entry);
  t.is(state.installs.length, 3, 'the failed adaptor is installed again by the next run');
});

test('a version that cannot be resolved fails the run with the requested version in the event', async (t) => {
  const { createAutoinstall } = await loadQueue();
  const { entry, events } = request([['@openfn/language-common@missing']]);
  await t.throwsAsync(createAutoinstall({ whitelist })(entry), { message: /no version of @openfn\/language-common matches/ });
  t.like(events[0], { event: 'autoinstall-error', payload: { module: '@openfn/language-common', version: 'missing' } });
});

test('dist-tags are resolved once per cache window, exact versions never', async (t) => {
  const { createAutoinstall, state } = await loadQueue();
  const cached = createAutoinstall({ whitelist, versionCacheMs: 60_000 });
  await cached(request([['@openfn/language-common@latest', '@openfn/language-http@2.0.0']]).entry);
  await cached(request([['@openfn/language-common@latest']]).entry);
  t.deepEqual(state.lookups, ['@openfn/language-common@latest', '@openfn/language-http@2.0.0']);
  t.is(state.installs[0]?.specifier, '@openfn/language-common@9.9.9', 'the resolved version is installed');

  const uncached = createAutoinstall({ whitelist, versionCacheMs: 0 });
  await uncached(request([['@openfn/language-common@latest']]).entry);
  await uncached(request([['@openfn/language-common@latest']]).entry);
  t.is(state.lookups.filter((s) => s.endsWith('@latest')).length, 3);
});

test('once the lock is held, an adaptor another worker installed meanwhile is not installed again', async (t) => {
  const { createAutoinstall, state } = await loadQueue();
  // Not installed at the fast-path check; installed by "another worker" while we waited.
  let checks = 0;
  state.installed = new Proxy(state.installed, {
    get: (target, key) => (key === 'has' ? () => checks++ > 0 : Reflect.get(target, key).bind(target)),
  });
  const { entry, events } = request([['@openfn/language-common@1.0.0']]);
  await createAutoinstall({ whitelist })(entry);
  t.deepEqual(state.installs, []);
  t.like(events[0]?.payload, { outcome: 'already-installed' });
});

test('bad queue options are refused', async (t) => {
  const { createAutoinstall } = await loadQueue();
  t.throws(() => createAutoinstall({ whitelist, concurrency: 0 }), { instanceOf: RangeError });
  t.throws(() => createAutoinstall({ whitelist, versionCacheMs: -1 }), { instanceOf: RangeError });
});

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
