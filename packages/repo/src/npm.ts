import { spawn } from 'node:child_process';
import { NpmError } from './errors.js';

export interface NpmOptions {
  cwd: string;
  signal?: AbortSignal;
}

export interface NpmResult {
  stdout: string;
  stderr: string;
}

/** Runs npm with an argument list. Injectable so tests and benchmarks can count or fake calls. */
export type NpmRunner = (args: readonly string[], options: NpmOptions) => Promise<NpmResult>;

// Enough of npm's log to explain a failure without holding a whole install log in memory;
// stdout is what `npm view --json` answers (every version of a package), kept whole.
const MAX_STDERR = 64 * 1024;
const MAX_STDOUT = 16 * 1024 * 1024;

/**
 * Spawns the npm on PATH with an argument array (never through a shell). The
 * registry and auth come from the user's npm configuration: `npm_config_*`
 * variables and `.npmrc` files are inherited untouched.
 */
export const runNpm: NpmRunner = (args, { cwd, signal }) =>
  new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    // Own process group, so an abort also stops the install scripts npm started.
    const child = spawn('npm', [...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout = keepTail(stdout + chunk.toString(), MAX_STDOUT)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = keepTail(stderr + chunk.toString(), MAX_STDERR)));

    const abort = (): void => {
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        // already gone
      }
    };
    signal?.addEventListener('abort', abort, { once: true });

    child.on('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(new NpmError(args, null, error.message));
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted) reject(signal.reason);
      else if (code === 0) resolve({ stdout, stderr });
      else reject(new NpmError(args, code, stderr));
    });
  });

// Cut at a line start, so that no line is kept half.
function keepTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = text.slice(-max);
  return tail.slice(tail.indexOf('\n') + 1);
}
