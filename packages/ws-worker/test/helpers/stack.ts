import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createLightningMock, type LightningMock, type LightningMockOptions, type RunDetails } from '@fleet/lightning-mock';
import { fixtures, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { startWorker, type WorkerHandle, type WorkerOverrides } from '../../src/start.js';
import type { WorkerConfig } from '../../src/util/worker-config.js';
import { memoryLogger } from './logger.js';

// The pieces of an integration test: a local npm registry serving the fixture
// adaptors, a Lightning mock, and a worker in this process with a real engine.

export const SECRET = 'integration-test-secret';
export const JOBS = fixtures.languageJobs;
export const WHITELIST = [/^@fleet-fixtures\//];

/** Starts the registry for a whole test file and points this process's npm (and so the engine's) at it. */
export async function useRegistry(): Promise<LocalRegistry> {
  const registry = await startRegistry();
  Object.assign(process.env, registry.env);
  return registry;
}

/**
 * For a whole test file: the local registry, and one repo directory its workers
 * share (so each adaptor installs once per file); both gone after the file.
 */
export function useRegistryAndRepo(): { readonly dir: string } {
  let registry: LocalRegistry | undefined;
  let repo: Awaited<ReturnType<typeof sharedRepo>> | undefined;
  test.before(async () => {
    registry = await useRegistry();
    repo = await sharedRepo();
  });
  test.after.always(async () => {
    await registry?.stop();
    await repo?.remove();
  });
  return {
    get dir() {
      if (!repo) throw new Error('The shared repo is used before test.before ran');
      return repo.dir;
    },
  };
}

/** A repo directory shared by a test file's workers, so each adaptor installs once per file. */
export async function sharedRepo(): Promise<{ dir: string; remove(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'fleet-ws-worker-it-'));
  return { dir: path.join(root, 'repo'), remove: () => rm(root, { recursive: true, force: true }) };
}

export function workerConfig(lightningUrl: string, repoDir: string, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  const config: Omit<WorkerConfig, 'workloops'> = {
    lightningUrl,
    secret: SECRET,
    lightningPublicKey: undefined,
    repoDir,
    // Beside the repo: this test file's workers share one host's cache, as workers of one machine do.
    cacheDir: path.join(path.dirname(repoDir), 'cache'),
    cacheMaxMb: 5000,
    installScripts: false,
    preload: [],
    lockRepo: true,
    whitelist: WHITELIST,
    jobEnv: [],
    jobAllow: [],
    port: 0,
    host: '127.0.0.1',
    capacity: 1,
    runTimeoutMs: 60_000,
    memoryLimitMb: 300,
    statePropsToRemove: ['configuration', 'response'],
    payloadLimitMb: 10,
    logPayloadLimitMb: 1,
    batchLogs: false,
    batchIntervalMs: 10,
    batchLimit: 50,
    backoff: { minMs: 20, maxMs: 200 },
    messageTimeoutMs: 10_000,
    claimTimeoutMs: 10_000,
    shutdownTimeoutMs: 10_000,
    workerName: 'it-worker',
    collections: undefined,
    sentryDsn: undefined,
    sentryEnv: 'test',
    logLevel: 'debug',
    ...overrides,
  };
  // As the CLI derives them: one manual>* loop of the capacity, or the loops and their sum.
  const workloops = overrides.workloops ?? [{ queues: ['manual', '*'], capacity: config.capacity }];
  return { ...config, workloops, capacity: workloops.reduce((sum, loop) => sum + loop.capacity, 0) };
}

export async function startMock(t: ExecutionContext, options: LightningMockOptions = {}): Promise<LightningMock> {
  const mock = await createLightningMock({ secret: SECRET, ...options });
  t.teardown(() => mock.close());
  return mock;
}

/** A worker stopped when the test ends; `logs` holds every message it logged. */
export async function startTestWorker(
  t: ExecutionContext,
  config: WorkerConfig,
  overrides: WorkerOverrides = {},
): Promise<{ worker: WorkerHandle; logs: string[] }> {
  const { logger, messages } = memoryLogger();
  const worker = await startWorker(config, logger, overrides);
  t.teardown(() => worker.stop());
  return { worker, logs: messages };
}

/** A one-job plan on the fixture adaptor. */
export const jobPlan = (body: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  jobs: [{ id: 'job', adaptor: JOBS, body }],
  ...extra,
});

/** A job that waits `ms` inside the run, so the run is in flight meanwhile. */
export const waitingJob = (ms: number, after = 'fn(s => s);'): string => `fn(s => new Promise((resolve) => setTimeout(() => resolve(s), ${ms})));\nlog('waited');\n${after}`;

export const eventNames = (run: RunDetails): string[] => run.events.map((event) => event.event);

/** Resolves with the first mock run-channel event named `event` for the run. */
export function nextEvent(mock: LightningMock, runId: string, event: string): Promise<unknown> {
  return new Promise((resolve) => {
    const listener = (accepted: { runId: string; event: string; payload: unknown }): void => {
      if (accepted.runId !== runId || accepted.event !== event) return;
      mock.off('event', listener);
      resolve(accepted.payload);
    };
    mock.on('event', listener);
  });
}

/** Polls until `check` holds, failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
