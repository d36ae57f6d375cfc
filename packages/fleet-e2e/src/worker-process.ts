import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// The built bin, as an operator runs it: `ws-worker` is dist/cli.js beside the package entry.
export const WS_WORKER_BIN = path.join(path.dirname(fileURLToPath(import.meta.resolve('@fleet/ws-worker'))), 'cli.js');

/** One pino line a worker wrote (non-JSON output is kept as `{ msg }`). */
export interface LogLine {
  level?: number;
  msg: string;
  [key: string]: unknown;
}

export interface WorkerProcessOptions {
  name: string;
  lightningUrl: string;
  secret: string;
  repoDir: string;
  cacheDir: string;
  capacity: number;
  repoLock: boolean;
  whitelist: string;
  env: NodeJS.ProcessEnv;
  /** Extra flags, e.g. a short shutdown timeout. */
  args?: string[];
  /** A command the worker runs under, e.g. one that enters another host's network namespace. */
  prefix?: string[];
  /** Called with every line the worker logs, as it arrives. */
  onLog?: (line: LogLine) => void;
}

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  logs: LogLine[];
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | NodeJS.Signals>;
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

/** Starts a real `ws-worker` process. */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const { name, lightningUrl, secret, repoDir, cacheDir, capacity, repoLock, whitelist, env, args = [], prefix = [] } = options;
  const flags = [
    `--lightning=${lightningUrl}`,
    `--repo-dir=${repoDir}`,
    `--cache-dir=${cacheDir}`,
    `--capacity=${capacity}`,
    `--worker-name=${name}`,
    `--whitelist=${whitelist}`,
    '--port=0',
    '--log=info',
    ...(repoLock ? [] : ['--no-repo-lock']),
    ...args,
  ];
  const [command = process.execPath, ...commandArgs] = [...prefix, process.execPath, WS_WORKER_BIN, ...flags];
  const child = spawn(command, commandArgs, {
    env: { ...env, WORKER_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const record = (text: string): void => {
    const line = parseLine(text);
    logs.push(line);
    options.onLog?.(line);
  };
  createInterface({ input: child.stdout! }).on('line', record);
  createInterface({ input: child.stderr! }).on('line', record);
  const exited = once(child, 'exit').then(([code, signal]) => (signal as NodeJS.Signals | null) ?? (code as number));

  return {
    name,
    child,
    logs,
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function parseLine(text: string): LogLine {
  try {
    const parsed = JSON.parse(text) as LogLine;
    if (parsed && typeof parsed.msg === 'string') return parsed;
  } catch {
    // Not a pino line: npm or Node writing to stderr.
  }
  return { msg: text };
}
