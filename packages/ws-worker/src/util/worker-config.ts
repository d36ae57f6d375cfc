import type { EngineOptions, JobPermission, LockEvent } from '@fleet/engine-multi';
import type { Logger } from 'pino';
import { ConfigError } from './config-error.js';
import type { OptionSource } from './option-source.js';
import {
  backoff,
  batchInterval,
  capacity,
  batchLimit,
  commaList,
  directory,
  envBoolean,
  envNames,
  jobPermissions,
  logLevel,
  nonEmpty,
  payloadLimitMb,
  port,
  positiveInteger,
  positiveSecondsAsMs,
  publicKeyPem,
  regexList,
  secondsAsMsOrZero,
  secretFile,
  sentryDsn,
  httpUrl,
  versionOrTag,
  workloopList,
  MAX_CAPACITY,
  type WorkloopSpec,
  specifierList,
  websocketUrl,
  type LogLevel,
} from './parse-value.js';

/** The worker's complete, validated configuration. Durations are in ms, as the engine and server take them. */
export interface WorkerConfig {
  lightningUrl: string;
  secret: string;
  /** PEM text; undefined: run tokens are not verified. */
  lightningPublicKey: string | undefined;
  /** Absolute. */
  repoDir: string;
  /** Absolute. */
  cacheDir: string;
  cacheMaxMb: number;
  installScripts: boolean;
  /** Adaptor specifiers to make ready at start. */
  preload: string[];
  /** Take the cross-worker install lock (engine `autoinstall.lockRepo`). */
  lockRepo: boolean;
  /** Adaptor package names runs may use. */
  whitelist: RegExp[];
  /** The worker's environment variables run processes get. */
  jobEnv: string[];
  jobAllow: JobPermission[];
  port: number;
  /** Undefined: every interface. */
  host: string | undefined;
  /** The claim loops; one, `manual>*`, unless --workloops says otherwise. */
  workloops: WorkloopSpec[];
  /** Runs executing at once: the sum of the loops' capacities. */
  capacity: number;
  runTimeoutMs: number;
  memoryLimitMb: number;
  statePropsToRemove: string[];
  /** Runs' plans may lower these, never raise them. */
  payloadLimitMb: number;
  logPayloadLimitMb: number;
  /** False: one push per log line. */
  batchLogs: boolean;
  batchIntervalMs: number;
  batchLimit: number;
  backoff: { minMs: number; maxMs: number };
  messageTimeoutMs: number;
  claimTimeoutMs: number;
  /** How long in-flight runs may finish after SIGTERM. */
  shutdownTimeoutMs: number;
  workerName: string;
  /** Undefined: collections are off. */
  collections: { url: string; version: string } | undefined;
  /** Undefined: errors are not reported. */
  sentryDsn: string | undefined;
  sentryEnv: string;
  logLevel: LogLevel;
}

/** The one place where options become the configuration: each option is read once, under its declared name. */
export function buildWorkerConfig(options: OptionSource): WorkerConfig {
  return {
    lightningUrl: options.value('lightning', websocketUrl),
    secret: workerSecret(options),
    lightningPublicKey: options.optional('lightning-public-key', publicKeyPem),
    repoDir: options.value('repo-dir', directory),
    cacheDir: options.value('cache-dir', directory),
    cacheMaxMb: options.value('cache-max-mb', positiveInteger),
    installScripts: options.toggle('install-scripts', envBoolean),
    preload: options.optional('preload', specifierList) ?? [],
    lockRepo: options.toggle('repo-lock', (raw) => !envBoolean(raw)),
    whitelist: options.value('whitelist', regexList),
    jobEnv: options.optional('job-env', envNames) ?? [],
    jobAllow: options.optional('job-allow', jobPermissions) ?? [],
    port: options.value('port', port),
    host: options.optional('host', nonEmpty),
    ...claimLoops(options),
    runTimeoutMs: options.value('max-run-duration-seconds', positiveSecondsAsMs),
    memoryLimitMb: options.value('run-memory', positiveInteger),
    statePropsToRemove: options.value('state-props-to-remove', commaList),
    payloadLimitMb: options.value('payload-limit-mb', payloadLimitMb),
    logPayloadLimitMb: options.value('log-payload-limit-mb', payloadLimitMb),
    batchLogs: options.toggle('batch-logs', envBoolean),
    batchIntervalMs: options.value('batch-interval', batchInterval),
    batchLimit: options.value('batch-limit', batchLimit),
    backoff: options.value('backoff', backoff),
    messageTimeoutMs: options.value('message-timeout', positiveSecondsAsMs),
    claimTimeoutMs: options.value('claim-timeout', positiveSecondsAsMs),
    shutdownTimeoutMs: options.value('shutdown-timeout-seconds', secondsAsMsOrZero),
    workerName: options.value('worker-name', nonEmpty),
    collections: collectionsOf(options),
    sentryDsn: options.optional('sentry-dsn', sentryDsn),
    sentryEnv: options.value('sentry-env', nonEmpty),
    logLevel: options.value('log', logLevel),
  };
}

/** What the worker process adds to its configuration for the engine. */
export interface EngineContext {
  /** Recorded as the installer and lock holder, so operators can tell which worker it was. */
  workerId: string;
  logger: Logger;
  onLockEvent: (event: LockEvent) => void;
}

/** The engine's (and through it the repo's) options: every one of them comes from the configuration here. */
export function engineOptions(config: WorkerConfig, { workerId, logger, onLockEvent }: EngineContext): EngineOptions {
  return {
    repoDir: config.repoDir,
    cacheDir: config.cacheDir,
    whitelist: config.whitelist,
    capacity: config.capacity,
    memoryLimitMb: config.memoryLimitMb,
    runTimeoutMs: config.runTimeoutMs,
    statePropsToRemove: config.statePropsToRemove,
    jobEnv: config.jobEnv,
    jobAllow: config.jobAllow,
    logger,
    autoinstall: {
      lockRepo: config.lockRepo,
      workerId,
      lock: { onEvent: onLockEvent },
      installScripts: config.installScripts,
      cacheMaxMb: config.cacheMaxMb,
    },
  };
}

// Exactly one of the two: a secret given twice is a mistake to point out, not to guess at.
function workerSecret(options: OptionSource): string {
  const fromFile = options.optional('secret-file', secretFile);
  const given = options.optional('secret', nonEmpty);
  if (fromFile !== undefined && given !== undefined) {
    throw new ConfigError('Both --secret (WORKER_SECRET) and --secret-file (WORKER_SECRET_FILE) are set: give only one', 'secret');
  }
  const secret = fromFile ?? given;
  if (secret === undefined) throw new ConfigError('Missing --secret (WORKER_SECRET) or --secret-file (WORKER_SECRET_FILE): one is required', 'secret');
  return secret;
}

// --capacity is the simple form of --workloops: one may be given, not both.
function claimLoops(options: OptionSource): { workloops: WorkloopSpec[]; capacity: number } {
  const loops = options.optional('workloops', workloopList);
  if (loops === undefined) {
    const total = options.value('capacity', capacity);
    return { workloops: [{ queues: ['manual', '*'], capacity: total }], capacity: total };
  }
  if (options.isGiven('capacity')) {
    throw new ConfigError('Give --capacity (WORKER_CAPACITY) or --workloops (WORKER_WORKLOOPS), not both: each loop of --workloops has its own capacity', 'workloops');
  }
  const total = loops.reduce((sum, loop) => sum + loop.capacity, 0);
  if (total > MAX_CAPACITY) {
    throw new ConfigError(`Invalid --workloops (WORKER_WORKLOOPS): its loops add up to ${total} runs at once; at most ${MAX_CAPACITY}`, 'workloops');
  }
  return { workloops: loops, capacity: total };
}

function collectionsOf(options: OptionSource): WorkerConfig['collections'] {
  const version = options.value('collections-version', versionOrTag);
  const url = options.optional('collections-url', httpUrl);
  return url === undefined ? undefined : { url, version };
}
