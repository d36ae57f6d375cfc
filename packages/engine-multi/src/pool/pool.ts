import pLimit from 'p-limit';
import { ExitError, OOMError, TimeoutError } from '../errors.js';
import type { FromChild, RunTask, SerializedError, ToChild } from '../worker/protocol.js';
import { spawnRunProcess, type RunProcess } from './child-process.js';

export interface PoolOptions {
  /** How many runs execute at once, each in its own process. */
  capacity: number;
  /** Heap limit of the pooled processes, in MB. */
  memoryLimitMb: number;
  /** A process is replaced after this many runs: adaptor modules are imported fresh per run and never unloaded. */
  maxRunsPerProcess: number;
  spawn?: (memoryLimitMb: number) => RunProcess;
}

export interface DispatchOptions {
  onEvent: (name: string, payload: Record<string, unknown>) => void;
  timeoutMs: number;
  /** A run with another limit than the pool's gets a process of its own, discarded afterwards. */
  memoryLimitMb?: number;
}

interface Pooled extends RunProcess {
  memoryLimitMb: number;
  runs: number;
  ready: Promise<void>;
}

/**
 * Reusable run processes, so a warm run does not pay a process start. A run
 * that times out, runs out of memory or ends its process takes the process
 * with it; the next run gets a fresh one.
 */
export function createPool({ capacity, memoryLimitMb, maxRunsPerProcess, spawn = spawnRunProcess }: PoolOptions) {
  const limit = pLimit(capacity);
  const idle: Pooled[] = [];
  const busy = new Map<Pooled, (error: Error) => void>();
  let destroyed = false;

  const start = (limitMb: number): Pooled => {
    const proc = spawn(limitMb);
    const ready = new Promise<void>((resolve, reject) => {
      proc.child.once('message', (message: FromChild) => (message.type === 'ready' ? resolve() : reject(new Error('run process did not start'))));
      proc.child.once('exit', (code, signal) => reject(new ExitError(`it exited (${signal ?? code}) while starting`)));
    });
    ready.catch(() => undefined);
    return { ...proc, memoryLimitMb: limitMb, runs: 0, ready };
  };

  const alive = (proc: Pooled): boolean => proc.child.exitCode === null && proc.child.signalCode === null;

  const take = (limitMb: number): Pooled => {
    // A process may have died while idle (killed by the OS, say): never hand that one out.
    idle.splice(0, idle.length, ...idle.filter(alive));
    const index = idle.findIndex((proc) => proc.memoryLimitMb === limitMb);
    return index >= 0 ? (idle.splice(index, 1)[0] as Pooled) : start(limitMb);
  };

  const giveBack = (proc: Pooled): void => {
    const keep = !destroyed && proc.memoryLimitMb === memoryLimitMb && proc.runs < maxRunsPerProcess && alive(proc);
    if (keep) idle.push(proc);
    else proc.child.kill();
  };

  const dispatch = (proc: Pooled, task: RunTask, { onEvent, timeoutMs }: DispatchOptions): Promise<unknown> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, state?: unknown, reusable = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        proc.child.off('message', onMessage).off('exit', onExit);
        busy.delete(proc);
        if (reusable) giveBack(proc);
        else proc.child.kill('SIGKILL');
        if (error) reject(error);
        else resolve(state);
      };
      const onMessage = (message: FromChild): void => {
        if (message.type === 'event') onEvent(message.name, { ...message.payload, threadId: proc.child.pid });
        else if (message.type === 'done') finish(undefined, message.state, true);
        else if (message.type === 'failed') finish(revive(message.error), undefined, true);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        const oom = /heap out of memory|Reached heap limit/i.test(proc.stderrTail());
        finish(oom ? new OOMError(proc.memoryLimitMb) : new ExitError(signal ? `killed by ${signal}` : `exit code ${code}`));
      };
      const timer = setTimeout(() => finish(new TimeoutError(timeoutMs)), timeoutMs);
      busy.set(proc, (error) => finish(error));
      proc.child.on('message', onMessage).once('exit', onExit);
      proc.runs += 1;
      try {
        proc.child.send({ type: 'run', task } satisfies ToChild);
      } catch (error) {
        finish(new ExitError(`it could not be reached (${(error as Error).message})`));
      }
    });

  return {
    /** Runs one task in a pooled process; resolves to the plan's result or rejects with the run's error. */
    run(task: RunTask, options: DispatchOptions): Promise<unknown> {
      return limit(async () => {
        if (destroyed) throw new ExitError('the engine was destroyed');
        const proc = take(options.memoryLimitMb ?? memoryLimitMb);
        await proc.ready;
        return dispatch(proc, task, options);
      });
    },

    /** Stops every process: idle ones, and busy ones whose runs then fail with an ExitError. */
    async destroy(): Promise<void> {
      // Queued runs still start, find the pool destroyed and fail: none is left pending.
      destroyed = true;
      const exits = [...idle, ...busy.keys()].map(
        (proc) => new Promise((resolve) => (alive(proc) ? proc.child.once('exit', resolve) : resolve(undefined))),
      );
      for (const fail of busy.values()) fail(new ExitError('the engine was destroyed'));
      idle.splice(0).forEach((proc) => proc.child.kill('SIGKILL'));
      await Promise.all(exits);
    },
  };
}

export type Pool = ReturnType<typeof createPool>;

/** Rebuilds a run's error on this side of the channel, keeping its name, severity and details. */
function revive({ name, message, severity, ...details }: SerializedError): Error {
  return Object.assign(new Error(message), { name, severity }, details);
}
