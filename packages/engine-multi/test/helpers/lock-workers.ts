import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, LockJob } from './lock-child.js';

const CHILD = fileURLToPath(new URL('./lock-child.ts', import.meta.url));
const SKEW_PRELOAD = fileURLToPath(new URL('./skew-clock.ts', import.meta.url));

/** A forked worker process running one lock job, with everything it reported. */
export interface LockWorker {
  child: ChildProcess;
  messages: ChildMessage[];
  /** Resolves with the first message matching `predicate` (already received or future). */
  next(predicate: (message: ChildMessage) => boolean): Promise<ChildMessage>;
  done(): Promise<Extract<ChildMessage, { type: 'done' | 'failed' }>>;
  release(): void;
  events(): Array<{ type: string; [key: string]: unknown }>;
  logs(level?: string): string[];
}

export async function startWorker(job: LockJob, options: { env: NodeJS.ProcessEnv; skewClockMs?: number }): Promise<LockWorker> {
  const execArgv = ['--import=tsx', '--no-warnings'];
  if (options.skewClockMs) execArgv.push(`--import=${SKEW_PRELOAD}`);
  const env = { ...options.env, ...(options.skewClockMs ? { SKEW_CLOCK_MS: String(options.skewClockMs) } : {}) };
  const child = fork(CHILD, { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: ChildMessage[] = [];
  child.on('message', (message: ChildMessage) => messages.push(message));
  await once(child, 'message');

  const next = (predicate: (message: ChildMessage) => boolean): Promise<ChildMessage> =>
    new Promise((resolve, reject) => {
      const found = messages.find(predicate);
      if (found) return resolve(found);
      const onMessage = (message: ChildMessage): void => {
        if (!predicate(message)) return;
        cleanup();
        resolve(message);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup();
        reject(new Error(`lock worker exited (${code ?? signal}) first`));
      };
      const cleanup = (): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });

  child.send({ cmd: 'run', job });
  return {
    child,
    messages,
    next,
    done: () => next((m) => m.type === 'done' || m.type === 'failed') as ReturnType<LockWorker['done']>,
    release: () => child.send({ cmd: 'release' }),
    events: () => messages.flatMap((m) => (m.type === 'event' ? [m.event] : [])),
    logs: (level) => messages.flatMap((m) => (m.type === 'log' && (!level || m.level === level) ? [m.message] : [])),
  };
}
