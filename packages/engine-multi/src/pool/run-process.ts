import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runProcessFlags, type JobPermission } from './run-permissions.js';

// Always the built child, also under tsx (tests, benchmarks): a run process
// loads nothing but plain JavaScript it is allowed to read.
const CHILD = ['../worker/child.js', '../../dist/worker/child.js']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((file) => existsSync(file));

const STDERR_TAIL = 4096;

/** What a run process is made for: its heap limit and the adaptor folders it may read. */
export interface RunProcessSpec {
  memoryLimitMb: number;
  /** Sorted. */
  adaptorFolders: string[];
}

export interface RunProcessSettings {
  allow: readonly JobPermission[];
  env: NodeJS.ProcessEnv;
}

/** One forked run process and the last bytes it wrote to stderr (where V8 reports running out of heap). */
export interface RunProcess {
  child: ChildProcess;
  stderrTail(): string;
}

export function spawnRunProcess(spec: RunProcessSpec, settings: RunProcessSettings): RunProcess {
  if (!CHILD) throw new Error('engine-multi: cannot find its run process script (dist/worker/child.js); run `pnpm build`');
  const child = fork(CHILD, [], {
    execArgv: [
      '--experimental-vm-modules',
      '--no-warnings',
      `--max-old-space-size=${spec.memoryLimitMb}`,
      ...runProcessFlags(spec.adaptorFolders, settings.allow),
    ],
    env: settings.env,
    // Job code that reaches the process's stdout or stderr must not write the worker's log lines.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    // A process group of its own: a Ctrl-C meant for the worker does not end its runs.
    detached: true,
  });
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    process.stderr.write(chunk.replace(/^(?=.)/gm, `[run process ${child.pid}] `));
    tail = (tail + chunk).slice(-STDERR_TAIL);
  });
  return { child, stderrTail: () => tail };
}
