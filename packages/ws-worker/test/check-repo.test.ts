import { EventEmitter } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import type { RepoCheck } from '@fleet/repo';
import { pino, type Logger } from 'pino';
import { startWorker } from '../src/start.js';
import { parseConfig, parseInvocation } from '../src/util/cli.js';
import { ConfigError } from '../src/util/config-error.js';
import { logRepoCheck, reportLines } from '../src/util/repo-check-report.js';
import { cleanEnv, runCli } from './helpers/run-cli.js';
import { startMock, workerConfig } from './helpers/stack.js';
import { tempDir } from './helpers/temp-dir.js';

const CHECKS = [
  'filesystem',
  'locks-dir',
  'staging-dir',
  'mtime-resolution',
  'clock-offset',
  'rename-file',
  'heartbeat',
  'cache-filesystem',
  'cache-dir',
  'rename-onto-non-empty',
];

/** A repo dir whose `.locks` cannot be created: a file is in the way. */
async function repoWithFileInTheWay(t: ExecutionContext): Promise<string> {
  const repoDir = path.join(await tempDir(t), 'repo');
  await mkdir(repoDir);
  await writeFile(path.join(repoDir, '.locks'), 'in the way');
  return repoDir;
}

test('parsing: check-repo reads the repo dir and the cache dir, flag before env, and nothing else', (t) => {
  t.deepEqual(parseInvocation(['check-repo', '-d', '/srv/flag', '--cache-dir', '/var/cache/flag'], { WORKER_REPO_DIR: '/srv/env', WORKER_CACHE_DIR: '/var/cache/env' }), {
    command: 'check-repo',
    repoDir: '/srv/flag',
    cacheDir: '/var/cache/flag',
  });
  t.deepEqual(parseInvocation(['check-repo'], { WORKER_REPO_DIR: '/srv/env', WORKER_CACHE_DIR: '/var/cache/env', WORKER_CAPACITY: 'not read' }), {
    command: 'check-repo',
    repoDir: '/srv/env',
    cacheDir: '/var/cache/env',
  });
  t.is(parseInvocation(['--secret', 's', '-d', '/srv/repo'], {}).command, 'start');
});

test('parseConfig refuses check-repo: it configures no worker', (t) => {
  const error = t.throws(() => parseConfig(['check-repo'], { WORKER_SECRET: 's' }), { instanceOf: ConfigError });
  t.is(error?.message, 'check-repo starts no worker, so it has no worker configuration');
});

// The command as an operator runs it: a real process, real exit codes and streams.

test('check-repo on a local disk: one ok line per check, the verdict, exit 0; no secret needed', async (t) => {
  const repoDir = path.join(await tempDir(t), 'repo');
  const cacheDir = path.join(path.dirname(repoDir), 'cache');
  const result = await runCli(['check-repo', '--repo-dir', repoDir, '--cache-dir', cacheDir], cleanEnv());
  t.is(result.code, 0, result.stdout + result.stderr);
  t.is(result.stderr, '');
  const lines = result.stdout.trimEnd().split('\n');
  t.deepEqual(
    lines.slice(0, -1).map((line) => line.split(/\s+/).slice(0, 2)),
    CHECKS.map((name) => ['ok', name]),
  );
  t.is(lines.at(-1), `ok: all 10 checks of ${repoDir} and the cache ${cacheDir} passed`);
  t.deepEqual(await readdir(path.join(repoDir, '.staging')), [], 'the probe folder is gone');
  t.deepEqual(await readdir(path.join(cacheDir, '.staging')), [], 'and the one in the cache');
});

test('check-repo takes the repo dir from WORKER_REPO_DIR; a warning prints its fix and exits 1', async (t) => {
  const repoDir = await repoWithFileInTheWay(t);
  const cacheDir = path.join(path.dirname(repoDir), 'cache');
  const result = await runCli(['check-repo'], cleanEnv({ WORKER_REPO_DIR: repoDir, WORKER_CACHE_DIR: cacheDir }));
  t.is(result.code, 1, result.stdout + result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  const warnings = lines.filter((line) => line.startsWith('WARN '));
  t.is(warnings.length, 1);
  t.regex(warnings[0] ?? '', /^WARN {2}locks-dir +\S+ cannot be created or written \(EEXIST: .*\)\. Fix: move the file that is in the way of /);
  t.true(warnings[0]?.endsWith(path.join(repoDir, '.locks')));
  t.is(lines.at(-1), `WARN: 1 of 10 checks of ${repoDir} and the cache ${cacheDir} warn; fix them before workers share it`);
});

test('check-repo with a bad --repo-dir exits 2 with one line on stderr', async (t) => {
  const result = await runCli(['check-repo', '--repo-dir', ''], cleanEnv());
  t.is(result.code, 2);
  t.is(result.stderr, 'Invalid --repo-dir (WORKER_REPO_DIR): "" is not a directory path\n');
  t.is(result.stdout, '');
});

test('check-repo refuses the worker-only options with exit 2', async (t) => {
  const result = await runCli(['check-repo', '--capacity', '3'], cleanEnv());
  t.is(result.code, 2);
  t.is(result.stderr, 'Unknown argument: capacity (see ws-worker --help)\n');
});

test('--help mentions check-repo; check-repo --help shows its two options', async (t) => {
  const help = await runCli(['--help'], cleanEnv());
  t.is(help.code, 0);
  t.regex(help.stdout, /^or: ws-worker check-repo \[--repo-dir DIR\] \[--cache-dir DIR\]$/m);
  t.regex(help.stdout, /^Commands:\n {2}ws-worker check-repo {2}Check that the repo dir's filesystem suits workers/m);
  const commandHelp = await runCli(['check-repo', '--help'], cleanEnv());
  t.is(commandHelp.code, 0);
  t.regex(commandHelp.stdout, /--repo-dir/);
  t.regex(commandHelp.stdout, /--cache-dir/);
  t.notRegex(commandHelp.stdout, /--capacity|--secret/);
});

// The same check at worker start-up.

interface LogLine {
  level: number;
  msg: string;
}

const INFO = 30;
const WARN = 40;

/** A logger whose lines a test can wait for; a line that does not come within `timeoutMs` fails the test. */
function watchedLogger(timeoutMs = 20_000): { logger: Logger; lines: LogLine[]; next(match: (line: LogLine) => boolean): Promise<LogLine> } {
  const lines: LogLine[] = [];
  const written = new EventEmitter();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(chunk.toString()) as LogLine;
      lines.push(line);
      written.emit('line', line);
      done();
    },
  });
  const next = (match: (line: LogLine) => boolean): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        written.off('line', listener);
        reject(new Error(`No such log line within ${timeoutMs} ms:\n${lines.map((line) => line.msg).join('\n')}`));
      }, timeoutMs);
      const listener = (line: LogLine): void => {
        if (!match(line)) return;
        clearTimeout(timer);
        written.off('line', listener);
        resolve(line);
      };
      written.on('line', listener);
    });
  return { logger: pino({ level: 'debug' }, stream), lines, next };
}

const isRepoCheck = (line: LogLine): boolean => line.msg.startsWith('Repo dir check');

test.serial('startWorker checks the repo dir and logs one info line when all is ok', async (t) => {
  const mock = await startMock(t);
  const repoDir = path.join(await tempDir(t), 'repo');
  const { logger, lines, next } = watchedLogger();
  const worker = await startWorker(workerConfig(mock.url, repoDir), logger);
  t.teardown(() => worker.stop());

  const line = await next(isRepoCheck);
  t.is(line.level, INFO);
  t.is(line.msg, `Repo dir check: ok: all 10 checks of ${repoDir} and the cache ${path.join(path.dirname(repoDir), 'cache')} passed`);
  t.is(lines.filter(isRepoCheck).length, 1);
});

test.serial('startWorker logs a warning per failed check, with its fix, and runs all the same', async (t) => {
  const mock = await startMock(t);
  const repoDir = await repoWithFileInTheWay(t);
  const { logger, lines, next } = watchedLogger();
  const worker = await startWorker(workerConfig(mock.url, repoDir), logger);
  t.teardown(() => worker.stop());

  const line = await next(isRepoCheck);
  t.is(line.level, WARN);
  t.regex(line.msg, /^Repo dir check locks-dir: .* cannot be created or written \(EEXIST: .*\)\. Fix: move the file that is in the way of /);
  t.deepEqual(
    lines.filter(isRepoCheck).map((logged) => logged.level),
    [WARN],
    'every line of one check is logged at once, so all are here',
  );
  t.is((await fetch(`${worker.url}/livez`)).status, 200);
});

// The report's shape, on a made-up check with two warnings.

const TWO_WARNINGS: RepoCheck = {
  repoDir: '/srv/repo',
  cacheDir: undefined,
  ok: false,
  checks: [
    { name: 'filesystem', ok: false, detail: 'nfs4 at /srv (rw): caches attributes', fix: 'remount with -o noac' },
    { name: 'heartbeat', ok: true, detail: 'moved' },
    { name: 'locks-dir', ok: false, detail: '/srv/repo/.locks cannot be created', fix: 'chown it' },
  ],
};

test('the report: aligned names, the fix after a warning, the verdict last', (t) => {
  t.deepEqual(reportLines(TWO_WARNINGS), [
    'WARN  filesystem  nfs4 at /srv (rw): caches attributes. Fix: remount with -o noac',
    'ok    heartbeat   moved',
    'WARN  locks-dir   /srv/repo/.locks cannot be created. Fix: chown it',
    'WARN: 2 of 3 checks of /srv/repo warn; fix them before workers share it',
  ]);
});

test('the start-up log: a warning per failed check and no summary', (t) => {
  const { logger, lines } = watchedLogger();
  logRepoCheck(TWO_WARNINGS, logger);
  t.deepEqual(lines.map(({ level, msg }) => ({ level, msg })), [
    { level: WARN, msg: 'Repo dir check filesystem: nfs4 at /srv (rw): caches attributes. Fix: remount with -o noac' },
    { level: WARN, msg: 'Repo dir check locks-dir: /srv/repo/.locks cannot be created. Fix: chown it' },
  ]);
});
