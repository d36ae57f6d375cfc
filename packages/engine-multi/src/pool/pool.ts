import pLimit from 'p-limit';
import { ExitError, OOMError, ProtocolError, TimeoutError } from '../errors.js';
import { parseFromChild, type AdaptorExports, type ReportedEvent, type RunTask, type SerializedError, type ToChild } from '../worker/protocol.js';
import type { RunProcess, RunProcessSpec } from './run-process.js';

export interface PoolOptions {
  /** How many runs execute at once, each in its own process. */
  capacity: number;
  /** Heap limit of a run process unless a run asks for another, in MB. */
  memoryLimitMb: number;
  /** 1: every run gets a fresh process, ended with the run. More lets runs share a realm (benchmarks only). */
  maxRunsPerProcess: number;
  /** Idle processes kept prepared, one per recently used set of adaptors, so that a warm run starts at once. */
  spares: number;
  spawn: (spec: RunProcessSpec) => RunProcess;
}

export interface DispatchOptions {
  onEvent: (event: ReportedEvent) => void;
  /** Receives the running process's control: `grant(lines)` lets that many more log lines come. */
  onDispatched?: (control: RunControl) => void;
  timeoutMs: number;
  memoryLimitMb?: number;
  /** The run's adaptor folders: all its process may read besides the engine's code. */
  adaptorFolders: string[];
}

export interface RunControl {
  grant(lines: number): void;
}

/** How a run ended well: its final state, or the size of one too large to report. */
export interface RunOutcome {
  state: unknown;
  withheld?: number;
}

interface Pooled extends RunProcess {
  key: string;
  memoryLimitMb: number;
  runs: number;
  /** Resolves once the process has imported its adaptors, with the names they export. */
  ready: Promise<AdaptorExports>;
}

/**
 * Run processes. Each run gets a process of its own, prepared before the run
 * needs it where possible: when a run takes the spare for its adaptors, a new
 * spare for them starts in the background, already past Node's start-up and
 * the adaptors' import. A run that times out, runs out of memory or ends its
 * process takes only its own process with it.
 */
export function createPool({ capacity, memoryLimitMb, maxRunsPerProcess, spares, spawn }: PoolOptions) {
  const limit = pLimit(capacity);
  // Least recently prepared first.
  const idle: Pooled[] = [];
  const busy = new Map<Pooled, (error: Error) => void>();
  const idleBound = spares + (maxRunsPerProcess > 1 ? capacity : 0);
  let destroyed = false;

  const start = (spec: RunProcessSpec, key: string): Pooled => {
    const proc = spawn(spec);
    const ready = new Promise<AdaptorExports>((resolve, reject) => {
      proc.child.once('message', (raw: unknown) => {
        const parsed = parseFromChild(raw);
        if (parsed.ok && parsed.message.type === 'ready') resolve(parsed.message.exports);
        else reject(new ExitError('it did not start'));
      });
      proc.child.once('exit', (code, signal) => reject(new ExitError(`it exited (${signal ?? code}) while starting`)));
    });
    ready.catch(() => undefined);
    send(proc, { type: 'prepare', adaptorFolders: spec.adaptorFolders });
    return { ...proc, key, memoryLimitMb: spec.memoryLimitMb, runs: 0, ready };
  };

  const alive = (proc: Pooled): boolean => proc.child.exitCode === null && proc.child.signalCode === null;

  const keep = (proc: Pooled): void => {
    idle.push(proc);
    while (idle.length > idleBound) idle.shift()?.child.kill('SIGKILL');
  };

  const take = (spec: RunProcessSpec): Pooled => {
    const key = `${spec.memoryLimitMb}\0${spec.adaptorFolders.join('\0')}`;
    // A process may have died while idle (killed by the OS, say): never hand that one out.
    idle.splice(0, idle.length, ...idle.filter(alive));
    const index = idle.findIndex((proc) => proc.key === key);
    const proc = index >= 0 ? (idle.splice(index, 1)[0] as Pooled) : start(spec, key);
    if (spares > 0 && !idle.some((other) => other.key === key)) keep(start(spec, key));
    return proc;
  };

  const giveBack = (proc: Pooled): void => {
    if (!destroyed && proc.runs < maxRunsPerProcess && alive(proc)) keep(proc);
    else proc.child.kill('SIGKILL');
  };

  const dispatch = (proc: Pooled, task: RunTask, { onEvent, onDispatched, timeoutMs }: DispatchOptions): Promise<RunOutcome> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, outcome: RunOutcome = { state: undefined }, reusable = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        proc.child.off('message', onMessage).off('exit', onExit);
        busy.delete(proc);
        if (reusable) giveBack(proc);
        else proc.child.kill('SIGKILL');
        if (error) reject(error);
        else resolve(outcome);
      };
      const onMessage = (raw: unknown): void => {
        const parsed = parseFromChild(raw);
        if (!parsed.ok) return finish(new ProtocolError(parsed.reason));
        const { message } = parsed;
        if (message.type === 'event') onEvent(message.event);
        else if (message.type === 'done') finish(undefined, { state: message.state, ...(message.withheld !== undefined ? { withheld: message.withheld } : {}) }, true);
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
      if (!send(proc, { type: 'run', task })) return finish(new ExitError('it could not be reached'));
      onDispatched?.({ grant: (lines) => void (settled || send(proc, { type: 'grant', lines })) });
    });

  return {
    /**
     * Runs one task in a process of its own; `prepare` builds the task once the
     * process (`pid`) has imported the run's adaptors and knows what they
     * export. Resolves to the plan's result or rejects with the run's error.
     */
    run(prepare: (exports: AdaptorExports, pid: number | undefined) => Promise<RunTask>, options: DispatchOptions): Promise<RunOutcome> {
      return limit(async () => {
        if (destroyed) throw new ExitError('the engine was destroyed');
        const proc = take({ memoryLimitMb: options.memoryLimitMb ?? memoryLimitMb, adaptorFolders: [...options.adaptorFolders].sort() });
        let task: RunTask;
        try {
          task = await prepare(await proc.ready, proc.child.pid);
        } catch (error) {
          // Nothing ran in it: it can still serve as a spare.
          giveBack(proc);
          throw error;
        }
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

function send(proc: RunProcess, message: ToChild): boolean {
  try {
    proc.child.send(message);
    return true;
  } catch {
    return false;
  }
}

/** Rebuilds a run's error on this side of the channel, keeping its name and severity. */
function revive({ name, message, severity }: SerializedError): Error {
  return Object.assign(new Error(message), { name, severity });
}
