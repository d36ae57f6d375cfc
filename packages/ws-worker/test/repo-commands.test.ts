import { rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fixtures, type LocalRegistry } from '@fleet/local-registry';
import { aliasFor, entryPath, readEntry, type RepoStatus } from '@fleet/repo';
import { parseInvocation } from '../src/util/cli.js';
import { ConfigError } from '../src/util/config-error.js';
import { cleanEnv, runCli } from './helpers/run-cli.js';
import { eventually, startMock, startTestWorker, useRegistry, workerConfig } from './helpers/stack.js';
import { tempDir } from './helpers/temp-dir.js';

// The operator commands as an operator runs them: real processes, real npm from the
// local registry, real exit codes and streams.

const JOBS = fixtures.languageJobs;
const EXTRA = fixtures.languageExtra;

let registry: LocalRegistry;

test.before(async () => {
  registry = await useRegistry();
});

test.after.always(() => registry?.stop());

const dirsIn = async (t: Parameters<typeof tempDir>[0]) => {
  const root = await tempDir(t);
  return { repoDir: path.join(root, 'repo'), cacheDir: path.join(root, 'cache') };
};

const repoCli = (args: string[], { repoDir, cacheDir }: { repoDir: string; cacheDir: string }, env: NodeJS.ProcessEnv = {}) =>
  runCli(['repo', ...args], cleanEnv({ ...registry.env, WORKER_REPO_DIR: repoDir, WORKER_CACHE_DIR: cacheDir, ...env }));

test('parsing: each repo command reads what it uses, flags before env', (t) => {
  const env = { WORKER_REPO_DIR: '/srv/repo', WORKER_CACHE_DIR: '/var/cache/fleet', WORKER_NAME: 'ops' };
  t.deepEqual(parseInvocation(['repo', 'status', '--json'], env), { command: 'repo status', repoDir: '/srv/repo', cacheDir: '/var/cache/fleet', json: true });
  t.deepEqual(parseInvocation(['repo', 'install', JOBS, EXTRA, '--no-repo-lock', '--install-scripts'], env), {
    command: 'repo install',
    repoDir: '/srv/repo',
    cacheDir: '/var/cache/fleet',
    specifiers: [JOBS, EXTRA],
    lockRepo: false,
    installScripts: true,
    workerName: 'ops',
  });
  t.deepEqual(parseInvocation(['repo', 'prune', '--unused-for', '30d', '--dry-run', '-d', '/srv/other'], env), {
    command: 'repo prune',
    repoDir: '/srv/other',
    unusedForMs: 30 * 86_400_000,
    dryRun: true,
    legacy: false,
    lockRepo: true,
    workerName: 'ops',
  });
});

for (const [argv, message] of [
  [['repo', 'prune', '--unused-for', '30'], 'Invalid --unused-for: "30" is not a duration such as 30d, 12h, 90m, 45s or 2w'],
  [['repo', 'prune'], 'Missing required argument: unused-for (see ws-worker --help)'],
  [['repo', 'install', 'file:../evil'], /^Invalid adaptor specifier "file:\.\.\/evil": /],
  [['repo', 'install'], 'repo install needs at least one adaptor specifier, such as @openfn/language-http@7.2.10'],
  [['repo'], 'repo needs one of: status, install, prune (see ws-worker --help)'],
  [['repo', 'status', '--capacity', '3'], 'Unknown argument: capacity (see ws-worker --help)'],
] as const) {
  test(`parsing refuses ${argv.join(' ')}`, (t) => {
    const error = t.throws(() => parseInvocation([...argv], {}), { instanceOf: ConfigError });
    if (typeof message === 'string') t.is(error?.message, message);
    else t.regex(error?.message ?? '', message);
  });
}

test('repo install builds and publishes each adaptor, then finds it there; status shows it; prune removes what went unused', async (t) => {
  const dirs = await dirsIn(t);
  const installed = await repoCli(['install', JOBS, EXTRA], dirs, { WORKER_NAME: 'ops-laptop' });
  t.is(installed.code, 0, installed.stdout + installed.stderr);
  t.deepEqual(installed.stdout.trimEnd().split('\n').map((line) => line.replace(/ \(\d+\.\ds\)$/, '')), [
    `ok    ${JOBS}: built, verified and published to the shared repo`,
    `ok    ${EXTRA}: built, verified and published to the shared repo`,
  ]);
  const found = await readEntry(dirs.repoDir, aliasFor(JOBS));
  t.like(found, { state: 'found', entry: { installedBy: { worker: 'ops-laptop' } } });

  const again = await repoCli(['install', JOBS], { ...dirs, cacheDir: `${dirs.cacheDir}-other-host` });
  t.regex(again.stdout, new RegExp(`^ok    ${JOBS.replace(/[/.]/g, '\\$&')}: already in the shared repo \\(materialized into the local cache\\)`));

  const text = await repoCli(['status'], dirs);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, new RegExp(`^Shared repo ${dirs.repoDir}$`, 'm'));
  t.regex(text.stdout, /^ {2}ok {6}@fleet-fixtures\/language-jobs_1\.0\.0 {2}\d+(\.\d)? (B|KB) \(\d+ files, .* unpacked\), installed \S+ by worker ops-laptop, pid \d+ on \S+, last used \S+$/m);
  t.regex(text.stdout, /^ {2}2 version\(s\), .* in 4 file\(s\)$/m);
  t.regex(text.stdout, /^Locks: none held$/m);
  t.regex(text.stdout, new RegExp(`^Local cache ${dirs.cacheDir}: 2 adaptor\\(s\\), `, 'm'));
  const json = await repoCli(['status', '--json'], dirs);
  const status = JSON.parse(json.stdout) as RepoStatus;
  t.deepEqual(
    status.adaptors.map((adaptor) => adaptor.alias),
    [aliasFor(EXTRA), aliasFor(JOBS)],
  );

  const longAgo = new Date(Date.now() - 40 * 86_400_000);
  await utimes(entryPath(dirs.repoDir, aliasFor(EXTRA)), longAgo, longAgo);
  const dry = await repoCli(['prune', '--unused-for', '30d', '--dry-run'], dirs);
  t.regex(dry.stdout, /^would remove {2}@fleet-fixtures\/language-extra_1\.0\.0 {2}.*, last used /m);
  t.is((await readEntry(dirs.repoDir, aliasFor(EXTRA))).state, 'found');
  const pruned = await repoCli(['prune', '--unused-for', '30d'], dirs);
  t.is(pruned.code, 0, pruned.stderr);
  t.regex(pruned.stdout, /^Removed 1 version\(s\), /m);
  t.is((await readEntry(dirs.repoDir, aliasFor(EXTRA))).state, 'absent');
  t.is((await readEntry(dirs.repoDir, aliasFor(JOBS))).state, 'found');
});

test('repo install of an adaptor that does not exist fails that one with exit 1 and installs the rest', async (t) => {
  const dirs = await dirsIn(t);
  const result = await repoCli(['install', '@fleet-fixtures/no-such-adaptor@1.0.0', JOBS], dirs);
  t.is(result.code, 1);
  const [failed, ok] = result.stdout.trimEnd().split('\n');
  t.regex(failed ?? '', /^FAIL {2}@fleet-fixtures\/no-such-adaptor@1\.0\.0: npm install failed .*404/);
  t.regex(ok ?? '', /^ok {4}@fleet-fixtures\/language-jobs@1\.0\.0: built/);
});

test('repo status of a repo with a broken version says so and exits 1', async (t) => {
  const dirs = await dirsIn(t);
  await repoCli(['install', JOBS], dirs);
  const found = await readEntry(dirs.repoDir, aliasFor(JOBS));
  if (found.state !== 'found') return t.fail();
  await rm(path.join(dirs.repoDir, 'adaptors', '@fleet-fixtures', found.entry.archive));
  const result = await repoCli(['status'], dirs);
  t.is(result.code, 1);
  t.regex(result.stdout, /^ {2}BROKEN {2}@fleet-fixtures\/language-jobs_1\.0\.0 .*; its archive \S+ is missing$/m);
});

test('a worker started with --preload makes the adaptors ready before any run asks for them', async (t) => {
  const mock = await startMock(t);
  const dirs = await dirsIn(t);
  const { logs } = await startTestWorker(t, { ...workerConfig(mock.url, dirs.repoDir), cacheDir: dirs.cacheDir, preload: [JOBS, EXTRA] });
  await eventually(() => logs.some((line) => line.startsWith('Preloaded 2 adaptor(s) in ')), 'the preload to finish');
  t.true(logs.includes(`Preloading ${JOBS}, ${EXTRA}`));
  for (const specifier of [JOBS, EXTRA]) t.is((await readEntry(dirs.repoDir, aliasFor(specifier))).state, 'found');
  t.is(mock.listRuns().length, 0, 'no run was needed');
});
