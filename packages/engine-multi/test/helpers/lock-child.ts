// One "worker" for multi-process lock tests: takes the real install lock (or
// not), runs a real install or holds until told to release, and reports every
// log line, lock event and the moments it held the lock, on the system-wide
// monotonic clock so that intervals compare across processes.
import { install, isInstalled, aliasFor, type Logger } from '@fleet/runtime';
import { withInstallLock, type InstallLockOptions } from '../../src/index.js';

export interface LockJob {
  repoDir: string;
  specifier: string;
  useLock: boolean;
  /** `install`: install the adaptor (skipping it if found installed once locked); `hold`: wait for a `release` message. */
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

async function run(job: LockJob): Promise<void> {
  const alias = aliasFor(job.specifier);
  let heldFrom: number | undefined;
  const work = async (): Promise<string> => {
    heldFrom = monotonicMs();
    send({ type: 'holding', at: heldFrom });
    if (job.work === 'hold') {
      await new Promise<void>((resolve) => (releaseHold = resolve));
      return 'held';
    }
    if (await isInstalled(job.repoDir, alias)) return 'skipped';
    return (await install(job.repoDir, job.specifier, { logger })).outcome;
  };
  const options: InstallLockOptions = {
    ...job.lock,
    onEvent: (event) => send({ type: 'event', event }),
    ...(job.holdersLookAlive ? { isAlive: () => true } : {}),
  };
  const outcome = job.useLock ? await withInstallLock(job.repoDir, alias, logger, work, options) : await work();
  send({ type: 'done', outcome, ...(heldFrom ? { heldFrom, heldTo: monotonicMs() } : {}) });
}

process.on('message', (message: { cmd: 'run'; job: LockJob } | { cmd: 'release' }) => {
  if (message.cmd === 'release') return releaseHold();
  run(message.job).catch((error: Error) => send({ type: 'failed', message: error.message }));
});
send({ type: 'ready' });
