// One worker process of `pnpm bench:fleet`: an engine with its own npm cache and
// local adaptor cache (as a separate pod would have) that, on "go", autoinstalls one plan using every
// adaptor it was given, and reports what each install did and its lock events.
import { createEngine, type LockEvent } from '@fleet/engine-multi';

export interface FleetJob {
  repoDir: string;
  /** This worker's own local cache, as a separate pod has. */
  cacheDir: string;
  specifiers: string[];
  lockRepo: boolean;
  /** Pretend every holder lives on another host: only the stale window can free a dead holder's lock. */
  otherHost?: boolean;
}

export type FleetMessage =
  | { type: 'ready' }
  | { type: 'lock'; event: LockEvent; at: number }
  | { type: 'done'; outcomes: Record<string, string> }
  | { type: 'failed'; message: string };

const send = (message: FleetMessage): void => void process.send?.(message);
const monotonicMs = (): number => Number(process.hrtime.bigint() / 1_000_000n);

async function run({ repoDir, cacheDir, specifiers, lockRepo, otherHost }: FleetJob): Promise<void> {
  const engine = createEngine({
    repoDir,
    cacheDir,
    whitelist: [/^@fleet-fixtures\//],
    autoinstall: {
      lockRepo,
      concurrency: 4,
      // The slow fixtures' postinstall is what keeps an install (and its lock) going for seconds.
      installScripts: true,
      lock: { onEvent: (event) => send({ type: 'lock', event, at: monotonicMs() }), ...(otherHost ? { isAlive: () => true } : {}) },
    },
  });
  const outcomes: Record<string, string> = {};
  const steps = specifiers.map((specifier, i) => ({ id: `job-${i}`, expression: 'fn(s => s)', adaptors: [specifier] }));
  await engine.installAdaptors(
    { id: `bench-${process.pid}`, workflow: { steps } },
    { emit: (_event, payload) => void ('outcome' in payload && (outcomes[payload.module] = payload.outcome)) },
  );
  send({ type: 'done', outcomes });
}

process.on('message', (job: FleetJob) => {
  run(job).catch((error: Error) => send({ type: 'failed', message: error.message }));
});
send({ type: 'ready' });
