import { EventEmitter } from 'node:events';
import { aliasFor, openRepo, silentLogger, type ImportCheck, type InstallLockOptions, type Logger, type NpmRunner, type Repo } from '@fleet/repo';
import { compilePlan, DEFAULT_STATE_PROPS_TO_REMOVE, ImportError, type ExecutionPlan, type JobStep } from '@fleet/runtime';
import { createAutoinstall, type AutoinstallContext } from './api/autoinstall.js';
import { preloadCredentials, type CredentialResolver } from './api/preload-credentials.js';
import { createPool, type RunControl } from './pool/pool.js';
import { JOB_PERMISSIONS, runProcessEnv, type JobPermission } from './pool/run-permissions.js';
import { spawnRunProcess } from './pool/run-process.js';
import { BYTES_PER_MB } from './worker/outgoing.js';
import type { EngineEventName, EngineEvents, EnginePayload, RunHandlers } from './types.js';
import { JOB_LOG_LEVELS, SANITIZE_POLICIES, type AdaptorExports, type JobLogLevel, type ReportedEvent, type RunLimits, type SanitizePolicy } from './worker/protocol.js';
import { adaptorVersions } from './util/adaptor-versions.js';

export interface EngineOptions {
  /** The shared repo: one archive per adaptor version, possibly on a network filesystem, for the whole fleet. */
  repoDir: string;
  /** This host's local cache, on local disk: adaptors are built, extracted and imported here. */
  cacheDir: string;
  /** Adaptor package names plans may use. Default: the `@openfn/` scope. */
  whitelist?: RegExp[];
  logger?: Logger;
  /** Runs executing at once, each in its own reusable process. Default 5. */
  capacity?: number;
  /** Heap limit of each run process, in MB. Default 500. */
  memoryLimitMb?: number;
  /** Wall-clock limit of a run, in ms. Default 5 minutes. */
  runTimeoutMs?: number;
  /** Keys removed from every step's output state. Default configuration and response. */
  statePropsToRemove?: string[];
  /**
   * Runs one process serves. Default 1: every run gets a fresh process, and
   * nothing of one run (objects, listeners, timers, prototypes) reaches the next.
   * More lets runs share a realm, which only a benchmark should want.
   */
  maxRunsPerProcess?: number;
  /** Idle run processes kept prepared, one per recently used set of adaptors. Default 2; 0: none. */
  spareProcesses?: number;
  /** Names of the worker's environment variables that run processes get. Default none. */
  jobEnv?: string[];
  /** What job code may do besides reading its adaptors and using the network. Default nothing. */
  jobAllow?: JobPermission[];
  autoinstall?: {
    /** Take the cross-worker install lock around each build. Default true. */
    lockRepo?: boolean;
    /** How many different adaptors are materialized or built at once. Default 2. */
    concurrency?: number;
    versionCacheMs?: number;
    /** Recorded as the installer of what this engine builds, and as the holder of its locks. */
    workerId?: string;
    lock?: Omit<InstallLockOptions, 'workerId' | 'purpose' | 'wait'>;
    /** Run the packages' install scripts. Default false. */
    installScripts?: boolean;
    /** Evict the least recently used adaptors once the local cache holds more than this many MB. Default: unbounded. */
    cacheMaxMb?: number;
    /** For tests and benchmarks: replaces npm, or the check that a build imports. */
    npm?: NpmRunner;
    importCheck?: ImportCheck;
  };
}

export interface ExecuteOptions {
  runTimeoutMs?: number;
  memoryLimitMb?: number;
  /** Max size of a step's output state, in MB; a bigger one kills the run. Default a quarter of the memory limit. */
  stateLimitMb?: number;
  /**
   * A step's output or the final state over this many MB is withheld: its event
   * carries only `withheld` (the size) and the steps after it still get it. Default: no limit.
   */
  payloadLimitMb?: number;
  /** A log line over this many MB is replaced by a note saying so. Default: no limit. */
  logPayloadLimitMb?: number;
  /** Lines of job code and its adaptors below this level are not reported; `none`: none are. Default `debug`. */
  jobLogLevel?: JobLogLevel;
  /** What becomes of objects and arrays in job log lines. Default `none` (kept). */
  sanitize?: SanitizePolicy;
  /**
   * Log lines the run may have sent that its consumer has not yet given back
   * with `grantLogLines`. Past it, the run's process keeps its events, in order,
   * in its own memory (up to 200,000 lines or 64 MB, then it drops lines and
   * says exactly how many); a run that ends waits up to 30 s for them to go.
   * Default: no window.
   */
  logWindow?: number;
  resolvers?: { credential?: CredentialResolver };
  logger?: Logger;
}

export interface InstallAdaptorsOptions {
  logger?: Logger;
  /** Receives this run's `autoinstall-complete` and `autoinstall-error` events. */
  emit?: AutoinstallContext['emit'];
}

/** One run's events, typed by name. */
export type RunEmitter = EventEmitter<{ [E in EngineEventName]: [EnginePayload<E>] }>;

type Emit = <E extends EngineEventName>(name: E, payload: EngineEvents[E], time?: bigint) => void;

export const DEFAULT_WHITELIST = [/^@openfn\//];

// Longer than any install takes, so that no live install of another host is swept.
const ORPHAN_STAGE_AGE_MS = 60 * 60_000;

/** What a run gets when its caller says nothing: the defaults of the worker's options too. */
export const ENGINE_DEFAULTS = {
  capacity: 5,
  memoryLimitMb: 500,
  runTimeoutMs: 300_000,
  statePropsToRemove: [...DEFAULT_STATE_PROPS_TO_REMOVE],
  maxRunsPerProcess: 1,
  spareProcesses: 2,
  jobEnv: [] as string[],
  jobAllow: [] as JobPermission[],
};

/**
 * The engine: runs each execution plan in a fresh, least-privileged process of
 * its own, after making its adaptors ready from the shared repo. Every run
 * reports through the events of `EngineEvents` (types.ts).
 */
export function createEngine(options: EngineOptions) {
  const settings = resolveOptions(options);
  const { whitelist, logger } = settings;
  const repo = openEngineRepo(settings, options.autoinstall ?? {});
  const autoinstall = createAutoinstall({
    repo,
    whitelist,
    ...(options.autoinstall?.versionCacheMs !== undefined ? { versionCacheMs: options.autoinstall.versionCacheMs } : {}),
  });
  const env = runProcessEnv(settings.jobEnv);
  const pool = createPool({
    capacity: settings.capacity,
    memoryLimitMb: settings.memoryLimitMb,
    maxRunsPerProcess: settings.maxRunsPerProcess,
    spares: settings.spareProcesses,
    spawn: (spec) => spawnRunProcess(spec, { allow: settings.jobAllow, env }),
  });
  void removeOrphanStages(repo, logger);
  const runs = new Map<string, RunEmitter>();
  const controls = new Map<string, RunControl>();
  const emitterFor = (runId: string): RunEmitter => {
    let emitter = runs.get(runId);
    if (!emitter) runs.set(runId, (emitter = new EventEmitter() as RunEmitter));
    return emitter;
  };

  const installAdaptors = (plan: ExecutionPlan, run: InstallAdaptorsOptions = {}): Promise<ExecutionPlan> =>
    autoinstall.forPlan({ plan, context: { emit: run.emit ?? (() => undefined) }, logger: run.logger ?? logger });

  async function run(plan: ExecutionPlan, input: unknown, opts: ExecuteOptions, limits: RunLimits, emitter: RunEmitter): Promise<void> {
    const started = performance.now();
    const emit: Emit = (name, payload, time = BigInt(Date.now()) * 1_000_000n) =>
      void (emitter as EventEmitter).emit(name, { ...payload, workflowId: plan.id, time });
    const memoryLimitMb = opts.memoryLimitMb ?? settings.memoryLimitMb;
    let threadId: number | string = '-';
    let release = (): void => undefined;
    try {
      const linked = await installAdaptors(plan, { logger: opts.logger ?? logger, emit });
      release = repo.retain(Object.entries(adaptorVersions(linked)).flatMap(([name, versions]) => versions.map((version) => aliasFor(`${name}@${version}`))));
      const ready = await preloadCredentials(linked, opts.resolvers?.credential);
      const outcome = await pool.run(
        async (exports, pid) => {
          threadId = pid ?? threadId;
          emit('workflow-start', { threadId, versions: { node: process.versions.node, ...adaptorVersions(ready) } });
          return {
            plan: await compilePlan(ready, { loadExports: async (name, step) => exportsOf(exports, name, step) }),
            input,
            options: {
              whitelist: whitelist.map((pattern) => [pattern.source, pattern.flags]),
              statePropsToRemove: settings.statePropsToRemove,
              stateLimitMb: opts.stateLimitMb ?? memoryLimitMb / 4,
              limits,
              logWindow: opts.logWindow ?? Number.MAX_SAFE_INTEGER,
            },
          };
        },
        {
          adaptorFolders: adaptorFolders(ready),
          timeoutMs: opts.runTimeoutMs ?? settings.runTimeoutMs,
          memoryLimitMb,
          onEvent: (event) => relayRuntimeEvent(event, threadId, emit),
          onDispatched: (control) => void controls.set(plan.id, control),
        },
      );
      emit('workflow-complete', { threadId, ...outcome, duration: Math.round(performance.now() - started) });
    } catch (error) {
      const { name = 'Error', message = String(error), severity = 'exception' } = error as Error & { severity?: string };
      emit('workflow-error', { threadId, type: name, message, severity });
    } finally {
      release();
      runs.delete(plan.id);
      controls.delete(plan.id);
    }
  }

  return {
    options: settings,
    /** How many runs have listeners or are in flight: each is forgotten once its run ends. */
    get trackedRuns(): number {
      return runs.size;
    },
    installAdaptors,
    /** Makes adaptors ready before runs need them (in the background of a starting worker, say). */
    preload: (specifiers: string[]): Promise<void> => autoinstall.preload(specifiers, logger),
    /** Starts a run; its events arrive on the returned emitter and on `listen(plan.id, …)`. */
    execute(plan: ExecutionPlan, input?: unknown, opts: ExecuteOptions = {}): RunEmitter {
      if (!plan || typeof plan.id !== 'string' || !plan.id) throw new TypeError('execute() needs a plan with an id');
      let limits: RunLimits;
      try {
        if (!Array.isArray(plan.workflow?.steps)) throw new TypeError(`Plan ${plan.id} has no workflow.steps array`);
        limits = runLimits(opts);
      } catch (error) {
        // A run that never starts must not keep what listen() registered for it.
        runs.delete(plan.id);
        throw error;
      }
      const emitter = emitterFor(plan.id);
      // Listeners attached right after execute() returns still see every event.
      setImmediate(() => void run(plan, input, opts, limits, emitter));
      return emitter;
    },
    /**
     * Back-pressure from whoever consumes a run's log lines: the consumer took
     * `lines` more of them, so that many more may come (see `logWindow`).
     */
    grantLogLines(runId: string, lines: number): void {
      controls.get(runId)?.grant(lines);
    },
    /** Subscribes to one run's events; may be called before `execute`. */
    listen(runId: string, handlers: RunHandlers): void {
      const emitter = emitterFor(runId) as EventEmitter;
      for (const [name, handler] of Object.entries(handlers)) emitter.on(name, handler);
    },
    /** Stops every run process; in-flight runs end with a `workflow-error` (ExitError). */
    destroy: async (): Promise<void> => {
      await Promise.all([repo.close(), pool.destroy()]);
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;

/**
 * Installs cut short (a worker SIGKILLed, a node lost) leave staged files
 * behind; each engine clears the old ones, of the whole fleet in the shared
 * repo and of this host in its cache, as it starts, in the background: a
 * failure is logged, never fatal.
 */
async function removeOrphanStages(repo: Repo, logger: Logger): Promise<void> {
  try {
    const removed = await repo.sweep(ORPHAN_STAGE_AGE_MS);
    if (removed.length > 0) logger.info(`Removed ${removed.length} staged file(s) left by interrupted installs: ${removed.join(', ')}`);
  } catch (error) {
    logger.warn(`Could not sweep the staging folders of ${repo.repoDir} and ${repo.cacheDir}: ${(error as Error).message}`);
  }
}

function openEngineRepo(settings: ReturnType<typeof resolveOptions>, autoinstall: NonNullable<EngineOptions['autoinstall']>): Repo {
  const { cacheMaxMb, concurrency, workerId, lock, installScripts, npm, importCheck } = autoinstall;
  if (cacheMaxMb !== undefined && !(cacheMaxMb > 0)) throw new RangeError(`cacheMaxMb must be positive, got ${cacheMaxMb}`);
  return openRepo({
    repoDir: settings.repoDir,
    cacheDir: settings.cacheDir,
    logger: settings.logger,
    lockRepo: settings.lockRepo,
    ...definedOnly({ concurrency, workerId, lockOptions: lock, installScripts, npm, importCheck }),
    ...(cacheMaxMb !== undefined ? { cacheMaxBytes: cacheMaxMb * BYTES_PER_MB } : {}),
  });
}

function resolveOptions(options: EngineOptions) {
  if (typeof options?.repoDir !== 'string' || options.repoDir === '') {
    throw new TypeError('createEngine needs a repoDir (the shared adaptor repo)');
  }
  if (typeof options.cacheDir !== 'string' || options.cacheDir === '') {
    throw new TypeError('createEngine needs a cacheDir (the local adaptor cache)');
  }
  const settings = {
    ...ENGINE_DEFAULTS,
    ...definedOnly({
      capacity: options.capacity,
      memoryLimitMb: options.memoryLimitMb,
      runTimeoutMs: options.runTimeoutMs,
      statePropsToRemove: options.statePropsToRemove,
      maxRunsPerProcess: options.maxRunsPerProcess,
      spareProcesses: options.spareProcesses,
      jobEnv: options.jobEnv,
      jobAllow: options.jobAllow,
    }),
    repoDir: options.repoDir,
    cacheDir: options.cacheDir,
    whitelist: options.whitelist ?? DEFAULT_WHITELIST,
    logger: options.logger ?? silentLogger,
    lockRepo: options.autoinstall?.lockRepo ?? true,
  };
  for (const key of ['capacity', 'memoryLimitMb', 'runTimeoutMs', 'maxRunsPerProcess'] as const) {
    const value = settings[key];
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${value}`);
  }
  if (!Number.isInteger(settings.spareProcesses) || settings.spareProcesses < 0) {
    throw new RangeError(`spareProcesses must be a whole number, got ${settings.spareProcesses}`);
  }
  const unknown = settings.jobAllow.filter((permission) => !JOB_PERMISSIONS.includes(permission));
  if (unknown.length > 0) throw new RangeError(`jobAllow takes ${JOB_PERMISSIONS.join(', ')}; not ${unknown.join(', ')}`);
  return settings;
}

// Node fires a timer past this at once: such a timeout would kill the run at its start.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The limits a run's process applies to what it reports; throws RangeError for
 * a bad one, or for a run timeout or memory limit that is not a positive integer
 * (a timeout also no longer than a timer holds).
 */
function runLimits({ payloadLimitMb, logPayloadLimitMb, jobLogLevel = 'debug', sanitize = 'none', runTimeoutMs, memoryLimitMb }: ExecuteOptions): RunLimits {
  for (const [name, value, max] of [['runTimeoutMs', runTimeoutMs, MAX_TIMEOUT_MS], ['memoryLimitMb', memoryLimitMb, Number.MAX_SAFE_INTEGER]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) throw new RangeError(`${name} must be a whole number from 1 to ${max}; got ${value}`);
  }
  const bytes = (name: string, mb: number | undefined): number => {
    if (mb === undefined) return Number.MAX_SAFE_INTEGER;
    if (!(Number.isFinite(mb) && mb >= 0)) throw new RangeError(`${name} must be a number of MB, 0 or more; got ${mb}`);
    return Math.floor(mb * BYTES_PER_MB);
  };
  if (!JOB_LOG_LEVELS.includes(jobLogLevel)) throw new RangeError(`jobLogLevel takes ${JOB_LOG_LEVELS.join(', ')}; not ${jobLogLevel}`);
  if (!SANITIZE_POLICIES.includes(sanitize)) throw new RangeError(`sanitize takes ${SANITIZE_POLICIES.join(', ')}; not ${sanitize}`);
  return {
    payloadLimitBytes: bytes('payloadLimitMb', payloadLimitMb),
    logPayloadLimitBytes: bytes('logPayloadLimitMb', logPayloadLimitMb),
    jobLogLevel,
    sanitize,
  };
}

const definedOnly = <T extends object>(object: T): Partial<T> =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;

/** Every adaptor folder the plan's steps link: what its run process may read. */
const adaptorFolders = (plan: ExecutionPlan): string[] => [
  ...new Set(plan.workflow.steps.flatMap((step) => Object.values((step as JobStep).linker ?? {}).map((entry) => entry.path))),
];

function exportsOf(exports: AdaptorExports, name: string, step: JobStep): string[] {
  const folder = step.linker?.[name]?.path;
  const found = folder === undefined ? [] : exports[folder];
  if (found === undefined || Array.isArray(found)) return found ?? [];
  throw new ImportError(`Failed to import module "${name}" from ${folder}: ${found.error}`);
}

/** A runtime event of the run's process as the engine's event, with the process's id. */
function relayRuntimeEvent(event: ReportedEvent, threadId: number | string, emit: Emit): void {
  switch (event.type) {
    case 'log': {
      const { level, source, message, time } = event;
      return emit('workflow-log', { level, source, message, threadId }, BigInt(time));
    }
    case 'job-start':
      return emit('job-start', { jobId: event.jobId, threadId });
    case 'job-complete': {
      const { type: _type, ...outcome } = event;
      return emit('job-complete', { ...outcome, threadId });
    }
    case 'job-error': {
      const { type: _type, ...outcome } = event;
      return emit('job-error', { ...outcome, threadId });
    }
  }
}
