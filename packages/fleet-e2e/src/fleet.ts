import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLightningMock, type LightningMock } from '@fleet/lightning-mock';
import { startWorkerProcess, type LogLine, type WorkerProcess } from './worker-process.js';

export interface FleetOptions {
  workers: number;
  capacity?: number;
  repoLock?: boolean;
  /** Comma-separated adaptor name patterns. */
  whitelist: string;
  /** Environment of the workers (npm registry settings go here). */
  env?: NodeJS.ProcessEnv;
  /** A repo directory to share; a fresh temporary one by default (removed on stop). */
  repoDir?: string;
  /** Extra flags for every worker, e.g. `--install-scripts` for the fixtures whose postinstall makes an install slow. */
  args?: string[];
  /** The address the mock Lightning listens on. Default 127.0.0.1. */
  lightningHost?: string;
  onLog?: (worker: string, line: LogLine) => void;
  /** How long to wait for every worker to join the queue. */
  startTimeoutMs?: number;
}

export interface AddWorkerOptions {
  /** The fleet's repo directory as this worker sees it (another host mounts it elsewhere). */
  repoDir?: string;
  /** This worker's local cache. Default: a folder of its own, as a pod has. */
  cacheDir?: string;
  capacity?: number;
  /** See WorkerProcessOptions.prefix. */
  prefix?: string[];
}

export interface Fleet {
  mock: LightningMock;
  repoDir: string;
  workers: WorkerProcess[];
  /** Starts one more worker into the same fleet and waits until it has joined the queue. */
  addWorker(name: string, options?: AddWorkerOptions): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

/** A mock Lightning and N real `ws-worker` processes sharing one repo directory. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const { capacity = 2, repoLock = true, whitelist, env = process.env, onLog, startTimeoutMs = 30_000, args = [] } = options;
  const secret = randomBytes(16).toString('hex');
  const mock = await createLightningMock({ secret, ...(options.lightningHost ? { host: options.lightningHost } : {}) });
  const ownRepo = !options.repoDir;
  const repoDir = options.repoDir ?? (await mkdtemp(path.join(os.tmpdir(), 'fleet-repo-')));
  // The workers' local caches, on this machine's own disk whatever the repo is on.
  const caches = await mkdtemp(path.join(os.tmpdir(), 'fleet-caches-'));
  const workers: WorkerProcess[] = [];

  const addWorker = async (name: string, overrides: AddWorkerOptions = {}): Promise<WorkerProcess> => {
    const joined = waitForQueueJoin(mock, startTimeoutMs);
    const worker = startWorkerProcess({
      name,
      lightningUrl: mock.url,
      secret,
      repoDir,
      cacheDir: path.join(caches, name),
      capacity,
      repoLock,
      whitelist,
      env,
      args,
      ...overrides,
      ...(onLog ? { onLog: (line: LogLine) => onLog(name, line) } : {}),
    });
    workers.push(worker);
    await Promise.race([
      joined,
      worker.exited.then((code) => {
        const last = worker.logs.slice(-20).map((line) => line.msg).join('\n');
        throw new Error(`worker ${name} exited (${code}) before joining the queue; its last output:\n${last}`);
      }),
    ]);
    return worker;
  };

  const stop = async (): Promise<void> => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await mock.close();
    await rm(caches, { recursive: true, force: true });
    if (ownRepo) await rm(repoDir, { recursive: true, force: true });
  };

  try {
    for (let i = 1; i <= options.workers; i++) await addWorker(`worker-${i}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { mock, repoDir, workers, addWorker, stop };
}

function waitForQueueJoin(mock: LightningMock, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      mock.off('join', onJoin);
      reject(new Error(`no worker joined worker:queue within ${timeoutMs} ms`));
    }, timeoutMs);
    const onJoin = ({ topic }: { topic: string }): void => {
      if (topic !== 'worker:queue') return;
      clearTimeout(timer);
      mock.off('join', onJoin);
      resolve();
    };
    mock.on('join', onJoin);
  });
}
