import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once the process has exited and its streams are closed. */
  readonly result: Promise<CliResult>;
}

/** The current environment without any WORKER_* variable, so the machine's settings cannot leak into a test. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => !name.startsWith('WORKER_'));
  return { ...Object.fromEntries(kept), ...extra };
}

/** Starts the real bin entry in its own process, from source. */
export function startCli(args: string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: PACKAGE_DIR, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

  function waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(() => reject(new Error(`No line matching ${pattern} within ${timeoutMs} ms:\n${stdout}${stderr}`))), timeoutMs);
      const check = (): void => {
        const line = stdout.split('\n').find((candidate) => pattern.test(candidate));
        if (line !== undefined) finish(() => resolve(line));
      };
      const onClose = (): void => finish(() => reject(new Error(`The process exited before a line matching ${pattern}:\n${stdout}${stderr}`)));
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        child.off('close', onClose);
        settle();
      };
      child.stdout?.on('data', check);
      child.once('close', onClose);
      check();
    });
  }

  return { child, waitForLine, result };
}

/** Runs the bin to its end. */
export const runCli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> => startCli(args, env).result;
