import { EventEmitter } from 'node:events';
import { silentLogger, sweepStaging, type InstallLockOptions, type Logger } from '@fleet/repo';
import type { ExecutionPlan } from '@fleet/runtime';
import { createAutoinstall, type AutoinstallContext } from './api/autoinstall.js';
import { preloadCredentials, type CredentialResolver } from './api/preload-credentials.js';
import { createPool } from './pool/pool.js';
import { adaptorVersions } from './util/adaptor-versions.js';

export interface EngineOptions {
  /** The adaptor repo directory, possibly shared by a whole fleet. */
  repoDir: string;
  /** Adaptor package names plans may use. Default: the `@openfn/` scope. */
  whitelist?: RegExp[];
  logger?: Logger;
  /** Runs executing at once, each in its own reusable process. Default 5. */
  capacity?: number;
  /** Heap limit of each run process, in MB. Default 500. */
  memoryLimitMb?: number;
  /** Wall-clock limit of a run, in ms. Default 10 minutes. */
  runTimeoutMs?: number;
  /** Keys removed from every step's output state. Default configuration and response. */
  statePropsToRemove?: string[];
  /** A run process is replaced after this many runs. Default 50. */
  maxRunsPerProcess?: number;
  autoinstall?: {
    /** Take the cross-worker install lock around each install. Default true. */
    lockRepo?: boolean;
    concurrency?: number;
    versionCacheMs?: number;
    lock?: InstallLockOptions;
  };
}

export interface ExecuteOptions {
  runTimeoutMs?: number;
  memoryLimitMb?: number;
  /** Max size of a step's output state, in MB. Default a quarter of the memory limit. */
  stateLimitMb?: number;
  resolvers?: { credential?: CredentialResolver };
  logger?: Logger;
}

export interface InstallAdaptorsOptions {
  logger?: Logger;
  /** Receives this run's `autoinstall-complete` and `autoinstall-error` events. */
  emit?: AutoinstallContext['emit'];
}

export type RunListener = (payload: Record<string, unknown>) => void;

export const DEFAULT_WHITELIST = [/^@openfn\//];

// Longer than any install takes, so that no live install of another host is swept.
const ORPHAN_STAGE_AGE_MS = 60 * 60_000;

const DEFAULTS = {
  capacity: 5,
  memoryLimitMb: 500,
  runTimeoutMs: 600_000,
  statePropsToRemove: ['configuration', 'response'],
  maxRunsPerProcess: 50,
};

/**
 * The engine: runs execution plans in a pool of isolated processes, after
 * installing their adaptors into the shared repo. Every run reports through
 * events: `workflow-start`, `job-start`, `workflow-log`, `job-complete`,
 * `job-error`, `workflow-complete`, `workflow-error`, `autoinstall-complete`,
 * `autoinstall-error`; each payload carries `workflowId` and `time`.
 */
export function createEngine(options: EngineOptions) {
  const settings = resolveOptions(options);
  const { repoDir, whitelist, logger, lockRepo } = settings;
  const { lock, concurrency, versionCacheMs } = options.autoinstall ?? {};
  const autoinstall = createAutoinstall({
    whitelist,
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(versionCacheMs !== undefined ? { versionCacheMs } : {}),
    ...(lock ? { lock } : {}),
  });
  const pool = createPool(settings);
  void removeOrphanStages(repoDir, logger);
  const runs = new Map<string, EventEmitter>();
  const emitterFor = (runId: string): EventEmitter => {
    let emitter = runs.get(runId);
    if (!emitter) runs.set(runId, (emitter = new EventEmitter()));
    return emitter;
  };

  const installAdaptors = (plan: ExecutionPlan, run: InstallAdaptorsOptions = {}): Promise<ExecutionPlan> =>
    autoinstall({ plan, context: { emit: run.emit ?? (() => undefined) }, repoDir, logger: run.logger ?? logger, useLock: lockRepo });

  async function run(plan: ExecutionPlan, input: unknown, opts: ExecuteOptions, emitter: EventEmitter): Promise<void> {
    const started = performance.now();
    const emit = (name: string, payload: Record<string, unknown>): void =>
      void emitter.emit(name, { workflowId: plan.id, time: BigInt(Date.now()) * 1_000_000n, ...payload });
    const memoryLimitMb = opts.memoryLimitMb ?? settings.memoryLimitMb;
    let threadId: number | string = '-';
    try {
      const linked = await installAdaptors(plan, { logger: opts.logger ?? logger, emit: (name, payload) => emit(name, { ...payload }) });
      const ready = await preloadCredentials(linked, opts.resolvers?.credential);
      const state = await pool.run(
        {
          plan: ready,
          input,
          options: {
            whitelist: whitelist.map((pattern) => [pattern.source, pattern.flags]),
            statePropsToRemove: settings.statePropsToRemove,
            stateLimitMb: opts.stateLimitMb ?? memoryLimitMb / 4,
          },
        },
        {
          timeoutMs: opts.runTimeoutMs ?? settings.runTimeoutMs,
          memoryLimitMb,
          onEvent: (name, payload) => {
            threadId = (payload.threadId as number | undefined) ?? threadId;
            emit(name, name === 'workflow-start' ? { ...payload, versions: { node: process.versions.node, ...adaptorVersions(ready) } } : payload);
          },
        },
      );
      emit('workflow-complete', { threadId, state, duration: Math.round(performance.now() - started) });
    } catch (error) {
      const { name = 'Error', message, severity = 'exception' } = error as Error & { severity?: string };
      emit('workflow-error', { threadId, type: name, message, severity });
    } finally {
      runs.delete(plan.id);
    }
  }

  return {
    options: settings,
    installAdaptors,
    /** Starts a run; its events arrive on the returned emitter and on `listen(plan.id, …)`. */
    execute(plan: ExecutionPlan, input?: unknown, opts: ExecuteOptions = {}): EventEmitter {
      if (!plan || typeof plan.id !== 'string' || !plan.id) throw new TypeError('execute() needs a plan with an id');
      if (!Array.isArray(plan.workflow?.steps)) throw new TypeError(`Plan ${plan.id} has no workflow.steps array`);
      const emitter = emitterFor(plan.id);
      // Listeners attached right after execute() returns still see every event.
      setImmediate(() => void run(plan, input, opts, emitter));
      return emitter;
    },
    /** Subscribes to one run's events; may be called before `execute`. */
    listen(runId: string, handlers: Record<string, RunListener>): void {
      const emitter = emitterFor(runId);
      for (const [name, handler] of Object.entries(handlers)) emitter.on(name, handler);
    },
    /** Stops every run process; in-flight runs end with a `workflow-error` (ExitError). */
    destroy: (): Promise<void> => pool.destroy(),
  };
}

export type Engine = ReturnType<typeof createEngine>;

/**
 * Installs cut short (a worker SIGKILLed, a node lost) leave their staging
 * folders behind; each engine clears the old ones of the whole fleet as it
 * starts, in the background: a failure is logged, never fatal.
 */
async function removeOrphanStages(repoDir: string, logger: Logger): Promise<void> {
  try {
    const removed = await sweepStaging(repoDir, { olderThanMs: ORPHAN_STAGE_AGE_MS });
    if (removed.length > 0) logger.info(`Removed ${removed.length} staging folder(s) left by interrupted installs: ${removed.join(', ')}`);
  } catch (error) {
    logger.warn(`Could not sweep the staging folders of ${repoDir}: ${(error as Error).message}`);
  }
}

function resolveOptions(options: EngineOptions) {
  if (typeof options?.repoDir !== 'string' || options.repoDir === '') {
    throw new TypeError('createEngine needs a repoDir (the adaptor repo directory)');
  }
  const settings = {
    ...DEFAULTS,
    ...definedOnly({
      capacity: options.capacity,
      memoryLimitMb: options.memoryLimitMb,
      runTimeoutMs: options.runTimeoutMs,
      statePropsToRemove: options.statePropsToRemove,
      maxRunsPerProcess: options.maxRunsPerProcess,
    }),
    repoDir: options.repoDir,
    whitelist: options.whitelist ?? DEFAULT_WHITELIST,
    logger: options.logger ?? silentLogger,
    lockRepo: options.autoinstall?.lockRepo ?? true,
  };
  for (const key of ['capacity', 'memoryLimitMb', 'runTimeoutMs', 'maxRunsPerProcess'] as const) {
    const value = settings[key];
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${value}`);
  }
  return settings;
}

const definedOnly = <T extends object>(object: T): Partial<T> =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
