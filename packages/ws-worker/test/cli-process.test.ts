import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { OPTIONS } from '../src/util/options.js';
import { createLightningMock } from '@fleet/lightning-mock';
import { cleanEnv, runCli, startCli, type CliResult } from './helpers/run-cli.js';
import { tempDir } from './helpers/temp-dir.js';

// The bin as an operator meets it: a real process, real exit codes and streams.

const SECRET = 'process-test-secret';

function assertOneLineError(t: import('ava').ExecutionContext, result: CliResult, message: string): void {
  t.is(result.code, 2);
  t.is(result.stderr, `${message}\n`, 'exactly one line, no stack trace');
  t.is(result.stdout, '');
}

test('--help exits 0 and lists every option with its env var', async (t) => {
  const result = await runCli(['--help'], cleanEnv());
  t.is(result.code, 0);
  t.is(result.stderr, '');
  for (const [key, spec] of Object.entries(OPTIONS)) {
    t.true(result.stdout.includes(`--${key}`), `--${key}`);
    t.true(result.stdout.includes(spec.env), spec.env);
  }
});

test('a bad flag value exits 2 with one line on stderr', async (t) => {
  const result = await runCli(['--capacity', 'abc'], cleanEnv({ WORKER_SECRET: SECRET }));
  assertOneLineError(t, result, 'Invalid --capacity (WORKER_CAPACITY): "abc" is not a whole number of runs from 1 to 100');
});

test('a bad env value exits 2 with one line on stderr', async (t) => {
  const result = await runCli([], cleanEnv({ WORKER_SECRET: SECRET, WORKER_LIGHTNING_SERVICE_URL: 'http://localhost:4000' }));
  assertOneLineError(
    t,
    result,
    'Invalid --lightning (WORKER_LIGHTNING_SERVICE_URL): "http://localhost:4000" is not a ws:// or wss:// URL',
  );
});

test('a missing secret exits 2', async (t) => {
  assertOneLineError(t, await runCli([], cleanEnv()), 'Missing --secret (WORKER_SECRET) or --secret-file (WORKER_SECRET_FILE): one is required');
});

test('an unknown flag exits 2', async (t) => {
  const result = await runCli(['--capacityy', '5'], cleanEnv({ WORKER_SECRET: SECRET }));
  assertOneLineError(t, result, 'Unknown argument: capacityy (see ws-worker --help)');
});

test('an unusable repo dir exits 2', async (t) => {
  const file = path.join(await tempDir(t), 'repo');
  await writeFile(file, 'not a directory');
  const result = await runCli(['-d', file], cleanEnv({ WORKER_SECRET: SECRET }));
  assertOneLineError(
    t,
    result,
    `Invalid --repo-dir (WORKER_REPO_DIR): ${JSON.stringify(file)} is not a readable and writable directory (a file is in the way, EEXIST)`,
  );
});

test('a valid configuration: logs it once, masked; joins Lightning; SIGTERM shuts down and exits 0', async (t) => {
  const home = await tempDir(t);
  const mock = await createLightningMock({ secret: SECRET });
  t.teardown(() => mock.close());
  const cli = startCli(['--capacity', '3', '--lightning', mock.url, '--port', '0'], cleanEnv({ HOME: home, WORKER_SECRET: SECRET, WORKER_CAPACITY: '7' }));
  t.teardown(() => void cli.child.kill('SIGKILL'));
  const { config } = JSON.parse(await cli.waitForLine(/"ws-worker configuration"/));
  t.is(config.capacity, 3, 'the flag beats the env var');
  t.is(config.secret, '***');
  const repoDir = path.join(home, '.openfn/worker/repo');
  t.is(config.repoDir, repoDir);
  t.true((await stat(repoDir)).isDirectory(), 'the default repo dir was created');
  await cli.waitForLine(/Joined worker:queue/);

  cli.child.kill('SIGTERM');
  const result = await cli.result;
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  t.false(result.stdout.includes(SECRET));
  t.is(result.stdout.split('\n').filter((line) => line.includes('"ws-worker configuration"')).length, 1);
  t.regex(result.stdout, /SIGTERM received: shutting down/);
  t.regex(result.stdout, /Shutdown complete/);
});
