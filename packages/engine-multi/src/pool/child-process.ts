import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Built code forks the built child; under tsx (tests, benchmarks) this file is
// .ts and so is the child, which the inherited --import=tsx can load.
const CHILD = ['../worker/child.js', '../worker/child.ts']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((file) => existsSync(file));

const STDERR_TAIL = 4096;

/** One forked run process and the last bytes it wrote to stderr (where V8 reports running out of heap). */
export interface RunProcess {
  child: ChildProcess;
  stderrTail(): string;
}

export function spawnRunProcess(memoryLimitMb: number): RunProcess {
  if (!CHILD) throw new Error('engine-multi: cannot find its run process script (worker/child.js); is the package built?');
  // Keep the parent's loaders (tsx under test) but never its heap size.
  const inherited = process.execArgv.filter((arg) => !arg.startsWith('--max-old-space-size'));
  const child = fork(CHILD, [], {
    execArgv: [...inherited, '--experimental-vm-modules', '--no-warnings', `--max-old-space-size=${memoryLimitMb}`],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    process.stderr.write(chunk);
    tail = (tail + chunk).slice(-STDERR_TAIL);
  });
  return { child, stderrTail: () => tail };
}
