import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Imports an adaptor's entry file somewhere that cannot harm the caller; rejects with why it failed. */
export type ImportCheck = (entryFile: string) => Promise<void>;

const TIMEOUT_MS = 60_000;
const STDERR_TAIL = 2048;

// Enough for Node to find itself and for an adaptor that reads its locale at import.
// Nothing else of the worker's environment (its secret, registry tokens) goes along.
const PASSED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL'];

// Exits explicitly: an adaptor may leave a timer or a socket open at import. A
// SyntaxError's stack starts with the file and line at fault, which is kept.
const SCRIPT = `
try {
  await import(process.argv[1]);
  process.exit(0);
} catch (error) {
  const where = String(error?.stack ?? '').split('\\n')[0];
  const what = error instanceof Error ? error.name + ': ' + error.message : String(error);
  process.stderr.write(where && !where.startsWith(error?.name) ? what + ' (at ' + where + ')' : what);
  process.exit(1);
}`;

/**
 * The default import check: a fresh Node process imports the entry file and
 * exits. A separate process, so a crash, a hang or a half-written module in the
 * build costs the worker nothing but this check.
 */
export const importInChildProcess: ImportCheck = (entryFile) =>
  new Promise((resolve, reject) => {
    const env = Object.fromEntries(PASSED_ENV.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]]])));
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, pathToFileURL(entryFile).href], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = timedOut ? `it did not finish within ${TIMEOUT_MS / 1000} s` : firstLine(stderr) || `it ended with ${signal ?? `exit ${code}`}`;
      reject(new Error(`importing it in a separate process failed: ${why}`));
    });
  });

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';
