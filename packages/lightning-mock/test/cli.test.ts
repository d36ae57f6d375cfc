import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import test, { type ExecutionContext } from 'ava';
import { ConnectionRefusedError, PhoenixTestClient } from './helpers/phoenix-client.js';
import { workerToken } from './helpers/worker-token.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

interface Cli {
  child: ChildProcess;
  /** The first stdout line, or what stderr said if the process exited first. */
  firstLine: Promise<string>;
  stderr(): string;
}

function startCli(t: ExecutionContext, args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, WORKER_SECRET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`CLI exited with ${code} before printing: ${stderr}`)));
  });
  return { child, firstLine, stderr: () => stderr };
}

const withDeadline = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms}ms`)), ms).unref())]);

test('the CLI prints its websocket URL, serves workers there, and exits 0 on SIGTERM', async (t) => {
  const cli = startCli(t, ['--port', '0']);
  const url = await withDeadline(cli.firstLine, 30_000, 'no URL printed');
  t.regex(url, /^ws:\/\/127\.0\.0\.1:\d+\/worker$/);
  const client = await PhoenixTestClient.connect(url, { params: { token: 'x.y.z' } });
  t.is((await client.heartbeat()).status, 'ok');
  const exited = once(cli.child, 'exit');
  cli.child.kill('SIGTERM');
  const [code] = await withDeadline(exited, 10_000, 'no exit after SIGTERM');
  t.is(code, 0);
  await client.closed;
});

test('the CLI exits 0 on SIGINT', async (t) => {
  const cli = startCli(t, ['--port', '0']);
  await withDeadline(cli.firstLine, 30_000, 'no URL printed');
  const exited = once(cli.child, 'exit');
  cli.child.kill('SIGINT');
  t.deepEqual(await withDeadline(exited, 10_000, 'no exit after SIGINT'), [0, null]);
});

test('the CLI takes the worker secret from WORKER_SECRET', async (t) => {
  const cli = startCli(t, ['--port', '0'], { WORKER_SECRET: 'from-env' });
  const url = await withDeadline(cli.firstLine, 30_000, 'no URL printed');
  await t.throwsAsync(PhoenixTestClient.connect(url, { params: { token: await workerToken('wrong') } }), { instanceOf: ConnectionRefusedError });
  const client = await PhoenixTestClient.connect(url, { params: { token: await workerToken('from-env') } });
  t.is((await client.heartbeat()).status, 'ok');
  await client.close();
});

test('the CLI stops with one line and exit code 1 on a bad port', async (t) => {
  const cli = startCli(t, ['--port', 'lots']);
  const [code] = await withDeadline(once(cli.child, 'exit'), 30_000, 'no exit');
  t.is(code, 1);
  t.is(cli.stderr().trim(), 'lightning-mock: port must be an integer from 0 to 65535, got NaN');
  await t.throwsAsync(cli.firstLine);
});
