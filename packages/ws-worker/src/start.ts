import { randomBytes } from 'node:crypto';
import { checkRepo, createEngine, type Engine } from '@fleet/engine-multi';
import { resolveVersion } from '@fleet/repo';
import type { ClaimedRun } from '@fleet/lightning-protocol';
import type { Logger } from 'pino';
import { claim } from './api/claim.js';
import { startRun, type RunDeps, type RunHandle } from './api/execute-run.js';
import { shutdown } from './api/shutdown.js';
import { combineWorkloops, createWorkloop } from './api/workloop.js';
import { connectToLightning } from './channels/socket.js';
import { joinWorkerQueue, QUEUE_TOPIC, queueCapacities } from './channels/worker-queue.js';
import { startHttpServer, type HttpServer, type Readiness } from './server.js';
import { ConfigError } from './util/config-error.js';
import { maskSecrets } from './util/mask-secrets.js';
import { createErrorReporter } from './util/error-reporter.js';
import { createMetrics, type WorkerMetrics } from './util/metrics.js';
import { logRepoCheck } from './util/repo-check-report.js';
import { runTokenVerifier } from './util/run-token.js';
import { workerVersion } from './util/version.js';
import { COLLECTIONS_ADAPTOR } from './util/convert-plan.js';
import { engineOptions, type WorkerConfig } from './util/worker-config.js';
import { signWorkerToken } from './util/worker-token.js';

export interface WorkerHandle {
  /** Base URL of the HTTP server (health and metrics). */
  url: string;
  /** Graceful shutdown (see api/shutdown.ts); resolves once everything is closed. Idempotent. */
  stop(): Promise<void>;
}

/** What a test may tune that no operator needs a flag for. */
export interface WorkerOverrides {
  /** Delay before reconnect attempt number `tries`. */
  reconnectAfterMs?: (tries: number) => number;
}

/**
 * Starts the worker with a validated configuration: the HTTP server, the engine,
 * the connection to Lightning and the claim loop. Resolves once the HTTP server
 * listens; connecting and claiming go on in the background (and keep retrying
 * while Lightning is unreachable), as does a check of the repo dir's filesystem,
 * which is logged and never stops the worker.
 */
export async function startWorker(config: WorkerConfig, logger: Logger, overrides: WorkerOverrides = {}): Promise<WorkerHandle> {
  // Two workers started with one name (pods of a host name, say) still tell Lightning and the install lock apart.
  const workerId = `${config.workerName}-${randomBytes(4).toString('hex')}`;
  logger.info({ config: maskSecrets(config), workerId }, 'ws-worker configuration');
  const metrics = createMetrics();
  // Until the parts it asks about exist.
  let readiness = (): Readiness => ({ ready: false, reason: 'starting' });
  const http = await listen(config, metrics, () => readiness());
  logger.info(`HTTP server listening on ${http.address} (/livez, /readyz, /metrics)`);
  // In the background: its heartbeat probe alone takes over a second, and a
  // filesystem worth a warning is no reason not to run.
  const repoChecked = checkRepo(config.repoDir, { lockRepo: config.lockRepo, cacheDir: config.cacheDir }).then(
    (result) => logRepoCheck(result, logger),
    (error: Error) => logger.warn(`Could not check the repo dir ${config.repoDir}: ${error.message}`),
  );
  const reporter = await createErrorReporter({ dsn: config.sentryDsn, environment: config.sentryEnv, release: workerVersion, workerId });
  if (config.sentryDsn) logger.info(`Reporting errors to Sentry (environment ${config.sentryEnv})`);
  const engine = createWorkerEngine(config, workerId, metrics, logger);
  if (config.preload.length > 0) void preload(engine, config.preload, logger);
  const lightning = connectToLightning({
    url: config.lightningUrl,
    token: await signWorkerToken(config.secret, workerId),
    workerVersion,
    timeoutMs: config.messageTimeoutMs,
    logger,
    reporter,
    ...(overrides.reconnectAfterMs ? { reconnectAfterMs: overrides.reconnectAfterMs } : {}),
  });

  const runs = new Set<RunHandle>();
  const runDeps: RunDeps = {
    socket: lightning.socket,
    engine,
    verifyToken: config.lightningPublicKey ? runTokenVerifier(config.lightningPublicKey) : undefined,
    messageTimeoutMs: config.messageTimeoutMs,
    limits: {
      memoryLimitMb: config.memoryLimitMb,
      runTimeoutMs: config.runTimeoutMs,
      payloadLimitMb: config.payloadLimitMb,
      logPayloadLimitMb: config.logPayloadLimitMb,
    },
    batchLogs: config.batchLogs ? { intervalMs: config.batchIntervalMs, limit: config.batchLimit } : undefined,
    collections: config.collections && { ...config.collections, version: await collectionsVersion(config.collections.version, logger) },
    workerVersion,
    metrics,
    reporter,
    logger,
  };
  const execute = (claimed: ClaimedRun): Promise<void> => {
    metrics.runClaimed();
    const run = startRun(claimed, runDeps);
    runs.add(run);
    return run.done.finally(() => runs.delete(run));
  };
  const workloop = combineWorkloops(
    config.workloops.map(({ queues, capacity }) =>
      createWorkloop({
        capacity,
        backoff: config.backoff,
        claim: () => claim(queue, { demand: 1, queues, workerName: config.workerName, timeoutMs: config.claimTimeoutMs }),
        execute,
        logger,
      }),
    ),
  );
  const queue = joinWorkerQueue(lightning.socket, {
    capacity: config.capacity,
    queues: queueCapacities(config.workloops),
    timeoutMs: config.messageTimeoutMs,
    logger,
    onJoined: workloop.resume,
    onLost: workloop.pause,
    onWorkAvailable: workloop.wake,
    reporter,
  });

  let stopping: Promise<void> | undefined;
  readiness = () => {
    if (stopping) return { ready: false, reason: 'shutting down' };
    if (!lightning.connected) {
      return { ready: false, reason: `not connected to Lightning at ${config.lightningUrl}${lightning.lastError ? ` (${lightning.lastError})` : ''}` };
    }
    if (!queue.joined) return { ready: false, reason: `connected to Lightning, but ${QUEUE_TOPIC} is not joined` };
    return { ready: true, reason: `connected to Lightning and claiming runs from ${QUEUE_TOPIC}` };
  };
  return {
    url: http.url,
    // Also waits for the repo check, so that its probe folder is gone when the process exits.
    stop: () =>
      (stopping ??= Promise.all([
        shutdown(
          { workloop, runs: () => [...runs], engine, queue, lightning, http },
          { timeoutMs: config.shutdownTimeoutMs, flushTimeoutMs: config.messageTimeoutMs, logger },
        ),
        repoChecked,
      ]).then(() => reporter.close(2000))),
  };
}

const createWorkerEngine = (config: WorkerConfig, workerId: string, metrics: WorkerMetrics, logger: Logger): Engine =>
  createEngine(engineOptions(config, { workerId, logger: logger.child({ component: 'engine' }), onLockEvent: metrics.lockEvent }));

/**
 * As the reference worker: a dist-tag is looked up once, at start, so every run
 * of this worker gets the same collections adaptor. If the registry cannot say,
 * the tag stays, and each run's install resolves it.
 */
async function collectionsVersion(version: string, logger: Logger): Promise<string> {
  try {
    const { version: exact } = await resolveVersion(`${COLLECTIONS_ADAPTOR}@${version}`);
    logger.info(`Collections on: jobs that use them get ${COLLECTIONS_ADAPTOR}@${exact}`);
    return exact;
  } catch (error) {
    logger.warn(`Could not look up ${COLLECTIONS_ADAPTOR}@${version} (${(error as Error).message}); each run resolves it when it installs`);
    return version;
  }
}

// In the background: runs that need a preloaded adaptor meanwhile share its install.
async function preload(engine: Engine, specifiers: string[], logger: Logger): Promise<void> {
  const started = performance.now();
  logger.info(`Preloading ${specifiers.join(', ')}`);
  try {
    await engine.preload(specifiers);
    logger.info(`Preloaded ${specifiers.length} adaptor(s) in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  } catch (error) {
    logger.warn(`Preloading failed (runs will install what they need): ${(error as Error).message}`);
  }
}

// A taken port or a foreign address is a configuration to fix, so it stops start-up with one line.
async function listen({ port, host }: WorkerConfig, metrics: WorkerMetrics, readiness: () => Readiness): Promise<HttpServer> {
  try {
    return await startHttpServer({ port, host, registry: metrics.registry, readiness });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw ConfigError.invalid('host', String(host), `an address of this machine (${code})`);
    }
    throw ConfigError.invalid('port', String(port), `a port this worker can listen on (${code ?? message})`);
  }
}
