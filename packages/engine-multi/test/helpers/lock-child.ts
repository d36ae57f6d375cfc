// One "worker" for multi-process lock tests. `install` goes through the engine's
// real autoinstall queue (lock on or off), as a worker would; `hold` takes the
// real lock and holds it until told to release. It reports every log line, lock
// event and the moments it held the lock, on the system-wide monotonic clock so
// that intervals compare across processes.
import { aliasFor, type Logger } from '@fleet/repo';
import { createEngine, withInstallLock, type InstallLockOptions } from '../../src/index.js';

export interface LockJob {
  repoDir: string;
  /** This worker's local cache: give each worker its own, as on different hosts. */
  cacheDir: string;
  specifier: string;
  /** Run install scripts: the slow fixtures' postinstall keeps an install going for seconds. */
  installScripts?: boolean;
  lockRepo: boolean;
  /** `install`: autoinstall a one-step plan using the adaptor; `hold`: take the lock and wait for a `release` message. */
  work: 'install' | 'hold';
  lock?: Pick<InstallLockOptions, 'staleMs' | 'heartbeatMs' | 'pollMs' | 'workerId'>;
  /** Pretend every holder is alive (as a holder on another host looks), forcing the stale-window path. */
  holdersLookAlive?: boolean;
}

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'log'; level: string; message: string }
  | { type: 'event'; event: { type: string; [key: string]: unknown } }
  | { type: 'holding'; at: number }
  | { type: 'done'; outcome: string; heldFrom?: number; heldTo?: number }
  | { type: 'failed'; message: string };

const send = (message: ChildMessage): void => void process.send?.(message);
const monotonicMs = (): number => Number(process.hrtime.bigint() / 1_000_000n);

const logger: Logger = {
  debug: (message) => send({ type: 'log', level: 'debug', message }),
  info: (message) => send({ type: 'log', level: 'info', message }),
  warn: (message) => send({ type: 'log', level: 'warn', message }),
  error: (message) => send({ type: 'log', level: 'error', message }),
};

let releaseHold: () => void = () => {};
let heldFrom: number | undefined;
let heldTo: number | undefined;

const lockOptions = (job: LockJob): InstallLockOptions => ({
  ...job.lock,
  onEvent: (event) => {
    send({ type: 'event', event });
    if (event.type === 'acquired') {
      heldFrom = monotonicMs();
      send({ type: 'holding', at: heldFrom });
    }
    if (event.type === 'released') heldTo = monotonicMs();
  },
  ...(job.holdersLookAlive ? { isAlive: () => true } : {}),
});

async function hold(job: LockJob): Promise<string> {
  await withInstallLock(
    job.repoDir,
    aliasFor(job.specifier),
    logger,
    () => new Promise<void>((resolve) => (releaseHold = resolve)),
    lockOptions(job),
  );
  return 'held';
}

/** The install's outcome, or `fast-path` when the adaptor was found installed without a lock. */
async function install(job: LockJob): Promise<string> {
  const { workerId, ...lock } = lockOptions(job);
  const engine = createEngine({
    repoDir: job.repoDir,
    cacheDir: job.cacheDir,
    whitelist: [/^@fleet-fixtures\//],
    logger,
    autoinstall: { lockRepo: job.lockRepo, lock, installScripts: job.installScripts ?? false, ...(workerId ? { workerId } : {}) },
  });
  let outcome = 'fast-path';
  const plan = { id: `run-${process.pid}`, workflow: { steps: [{ id: 'job', expression: 'fn(s => s)', adaptors: [job.specifier] }] } };
  await engine.installAdaptors(plan, {
    emit: (_event, payload) => {
      if ('outcome' in payload) outcome = payload.outcome;
    },
  });
  return outcome;
}

async function run(job: LockJob): Promise<void> {
  const outcome = job.work === 'hold' ? await hold(job) : await install(job);
  send({ type: 'done', outcome, ...(heldFrom ? { heldFrom, heldTo } : {}) });
}

process.on('message', (message: { cmd: 'run'; job: LockJob } | { cmd: 'release' }) => {
  if (message.cmd === 'release') return releaseHold();
  run(message.job).catch((error: Error) => send({ type: 'failed', message: error.message }));
});
send({ type: 'ready' });
