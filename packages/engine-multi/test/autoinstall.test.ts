import test from 'ava';
import esmock from 'esmock';
import { aliasFor, silentLogger, type ExactSpecifier, type InstallOutcome, type Logger, type Repo } from '@fleet/repo';
import type { ExecutionPlan } from '@fleet/runtime';
import type * as AutoinstallModule from '../src/api/autoinstall.js';
import type { AutoinstallRequest } from '../src/api/autoinstall.js';
import type { AutoinstallEvents } from '../src/types.js';

// Unit tests of the queue: the repo is a fake and version lookups are replaced,
// so these tests see exactly what the queue asks the repo for. The repo's own
// flow (sharing installs, the bound, the lock) is tested in @fleet/repo.

interface FakeRepo extends Repo {
  ready: Set<string>;
  ensured: Array<{ specifier: string; logger: Logger | undefined }>;
}

function fakeRepo(gate: (specifier: string) => Promise<InstallOutcome | void> = async () => undefined): FakeRepo {
  const ready = new Set<string>();
  const ensured: FakeRepo['ensured'] = [];
  const adaptorPath = (alias: string): string => `/cache/node_modules/${alias}`;
  return {
    repoDir: '/repo',
    cacheDir: '/cache',
    ready,
    ensured,
    isReady: async (alias) => ready.has(alias),
    ensure: async (specifier, options) => {
      ensured.push({ specifier, logger: options?.logger });
      const outcome = (await gate(specifier)) ?? 'installed';
      const at = specifier.lastIndexOf('@');
      const alias = aliasFor(specifier);
      ready.add(alias);
      return { name: specifier.slice(0, at), version: specifier.slice(at + 1), alias, path: adaptorPath(alias), outcome };
    },
    adaptorPath,
    retain: () => () => undefined,
    sweep: async () => [],
    close: async () => undefined,
  };
}

async function loadQueue() {
  const lookups: string[] = [];
  const repoModule = {
    resolveVersion: async (specifier: string): Promise<ExactSpecifier> => {
      lookups.push(specifier);
      const at = specifier.lastIndexOf('@');
      const name = specifier.slice(0, at);
      const selector = specifier.slice(at + 1);
      if (selector === 'missing') throw new Error(`no version of ${name} matches`);
      return { kind: 'exact', name, version: /^\d/.test(selector) ? selector : '9.9.9' };
    },
  };
  const module = await esmock<typeof AutoinstallModule>('../src/api/autoinstall.ts', {}, { '@fleet/repo': repoModule });
  return { ...module, lookups };
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
    logger: silentLogger,
    ...overrides,
  };
  return { entry, events };
}

const whitelist = [/^@openfn\//];

test('asks the repo for what is not ready and links every step to the local cache', async (t) => {
  const { createAutoinstall } = await loadQueue();
  const repo = fakeRepo();
  const { entry, events } = request([['@openfn/language-common@1.0.0'], ['@openfn/language-http@2.0.0']]);
  const linked = await createAutoinstall({ repo, whitelist }).forPlan(entry);

  t.deepEqual(repo.ensured.map((call) => call.specifier).sort(), ['@openfn/language-common@1.0.0', '@openfn/language-http@2.0.0']);
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
    linker: { '@openfn/language-common': { path: '/cache/node_modules/@openfn/language-common_1.0.0', version: '1.0.0' } },
  });
  t.deepEqual(linked.workflow.steps[0], { id: 'trigger', next: { 'job-0': true } }, 'triggers are left alone');
  t.false('linker' in (entry.plan.workflow.steps[1] as object), 'the caller’s plan is not mutated');
});

test('a ready adaptor takes the fast path: nothing asked of the repo, no event', async (t) => {
  const { createAutoinstall } = await loadQueue();
  const repo = fakeRepo();
  repo.ready.add('@openfn/language-common_1.0.0');
  const { entry, events } = request([['@openfn/language-common@1.0.0']]);
  const linked = await createAutoinstall({ repo, whitelist }).forPlan(entry);
  t.deepEqual([repo.ensured, events], [[], []]);
  t.truthy((linked.workflow.steps[1] as { linker?: object }).linker);
});

test('every entry keeps its own context and logger; each run gets its own event', async (t) => {
  const { createAutoinstall } = await loadQueue();
  const repo = fakeRepo();
  const autoinstall = createAutoinstall({ repo, whitelist });
  const loggerA = { ...silentLogger };
  const loggerB = { ...silentLogger };
  const first = request([['@openfn/language-common@1.0.0']], { logger: loggerA });
  const second = request([['@openfn/language-http@1.0.0']], { logger: loggerB });
  await Promise.all([autoinstall.forPlan(first.entry), autoinstall.forPlan(second.entry)]);
  t.is(repo.ensured.find((call) => call.specifier.includes('common'))?.logger, loggerA);
  t.is(repo.ensured.find((call) => call.specifier.includes('http'))?.logger, loggerB);
  t.deepEqual([first.events.length, second.events.length], [1, 1]);
  t.is(first.events[0]?.payload.module, '@openfn/language-common');
});

test('a non-whitelisted adaptor fails the run with an error naming it, before anything is looked up or installed', async (t) => {
  const { createAutoinstall, lookups } = await loadQueue();
  const repo = fakeRepo();
  const { entry, events } = request([['@openfn/language-common@1.0.0', 'left-pad@1.3.0']]);
  const error = await t.throwsAsync(createAutoinstall({ repo, whitelist }).forPlan(entry), { name: 'AutoinstallError' });
  t.regex(error?.message ?? '', /not allowed on this worker: left-pad@1\.3\.0 \(the whitelist is \/\^@openfn\\\/\/\)/);
  t.deepEqual((error as unknown as { adaptors: string[] }).adaptors, ['left-pad@1.3.0']);
  t.deepEqual([lookups, repo.ensured, events], [[], [], []]);
});

test('a malformed specifier is refused with an error naming it, and nothing is attempted', async (t) => {
  const { createAutoinstall, lookups } = await loadQueue();
  const repo = fakeRepo();
  const { entry } = request([['@openfn/../../etc@1.0.0']]);
  await t.throwsAsync(createAutoinstall({ repo, whitelist }).forPlan(entry), { name: 'InvalidSpecifierError', message: /@openfn\/\.\.\/\.\.\/etc/ });
  t.deepEqual([lookups, repo.ensured], [[], []]);
});

test('a failed install emits autoinstall-error, fails the run naming the adaptor, and the next run retries', async (t) => {
  const { createAutoinstall } = await loadQueue();
  let failures = 1;
  const repo = fakeRepo(async () => {
    if (failures-- > 0) throw new Error('npm install failed (exit 1): ETARGET');
  });
  const autoinstall = createAutoinstall({ repo, whitelist });
  const first = request([['@openfn/language-common@1.0.0', '@openfn/language-http@2.0.0']]);
  const error = await t.throwsAsync(autoinstall.forPlan(first.entry), { name: 'AutoinstallError' });
  t.regex(error?.message ?? '', /Could not install @openfn\/language-(common|http)@[\d.]+: npm install failed \(exit 1\): ETARGET/);
  const failed = first.events.filter((e) => e.event === 'autoinstall-error');
  t.is(failed.length, 1);
  t.like(failed[0]?.payload, { message: 'npm install failed (exit 1): ETARGET' });
  t.is(first.events.filter((e) => e.event === 'autoinstall-complete').length, 1, 'the other adaptor still installs');

  const second = request([['@openfn/language-common@1.0.0', '@openfn/language-http@2.0.0']]);
  await autoinstall.forPlan(second.entry);
  t.is(repo.ensured.length, 3, 'the failed adaptor is asked for again by the next run');
});

test('a version that cannot be resolved fails the run with the requested version in the event', async (t) => {
  const { createAutoinstall } = await loadQueue();
  const { entry, events } = request([['@openfn/language-common@missing']]);
  await t.throwsAsync(createAutoinstall({ repo: fakeRepo(), whitelist }).forPlan(entry), { message: /no version of @openfn\/language-common matches/ });
  t.like(events[0], { event: 'autoinstall-error', payload: { module: '@openfn/language-common', version: 'missing' } });
});

test('dist-tags are resolved once per cache window, exact versions never', async (t) => {
  const { createAutoinstall, lookups } = await loadQueue();
  const repo = fakeRepo();
  const cached = createAutoinstall({ repo, whitelist, versionCacheMs: 60_000 });
  await cached.forPlan(request([['@openfn/language-common@latest', '@openfn/language-http@2.0.0']]).entry);
  await cached.forPlan(request([['@openfn/language-common@latest']]).entry);
  t.deepEqual(lookups, ['@openfn/language-common@latest', '@openfn/language-http@2.0.0']);
  t.is(repo.ensured[0]?.specifier, '@openfn/language-common@9.9.9', 'the resolved version is installed');

  const uncached = createAutoinstall({ repo, whitelist, versionCacheMs: 0 });
  await uncached.forPlan(request([['@openfn/language-common@latest']]).entry);
  await uncached.forPlan(request([['@openfn/language-common@latest']]).entry);
  t.is(lookups.filter((s) => s.endsWith('@latest')).length, 3);
});

test('preload asks the repo for each whitelisted adaptor once, and fails naming what it could not install', async (t) => {
  const { createAutoinstall } = await loadQueue();
  const repo = fakeRepo(async (specifier) => {
    if (specifier.includes('http')) throw new Error('no such version');
  });
  const autoinstall = createAutoinstall({ repo, whitelist });
  await autoinstall.preload(['@openfn/language-common@1.0.0', '@openfn/language-common@1.0.0'], silentLogger);
  t.deepEqual(repo.ensured.map((call) => call.specifier), ['@openfn/language-common@1.0.0']);
  await t.throwsAsync(autoinstall.preload(['@openfn/language-http@1.0.0'], silentLogger), { name: 'AutoinstallError', message: /language-http@1\.0\.0: no such version/ });
  await t.throwsAsync(autoinstall.preload(['left-pad@1.3.0'], silentLogger), { name: 'AutoinstallError', message: /not allowed/ });
});

test('bad queue options are refused', async (t) => {
  const { createAutoinstall } = await loadQueue();
  t.throws(() => createAutoinstall({ repo: fakeRepo(), whitelist, versionCacheMs: -1 }), { instanceOf: RangeError });
});
