import type { Logger } from 'pino';
import type { JoinedChannel } from '../channels/channel.js';
import type { LightningSocket } from '../channels/socket.js';
import { ShutdownError } from '../errors.js';
import type { HttpServer } from '../server.js';
import type { RunHandle } from './execute-run.js';
import type { Workloop } from './workloop.js';

export interface ShutdownParts {
  workloop: Pick<Workloop, 'stop'>;
  /** The runs in flight at the time of the call. */
  runs(): RunHandle[];
  engine: { destroy(): Promise<void> };
  queue: Pick<JoinedChannel, 'leave'>;
  lightning: Pick<LightningSocket, 'close'>;
  http: Pick<HttpServer, 'close'>;
}

export interface ShutdownOptions {
  /** How long runs in flight may take to finish before they are killed. */
  timeoutMs: number;
  /** How long killed runs' final events may take to reach Lightning. */
  flushTimeoutMs: number;
  logger: Logger;
}

/**
 * Stops the worker without losing track of a run: no new claims; runs in flight
 * get `timeoutMs` to finish; the rest are killed and reported with reason
 * `kill` (ShutdownError); then the engine's processes end, the queue channel is
 * left and the socket and HTTP server close. A run whose report cannot reach
 * Lightning within `flushTimeoutMs` is given up, logged, and left for Lightning
 * to time out.
 */
export async function shutdown(parts: ShutdownParts, { timeoutMs, flushTimeoutMs, logger }: ShutdownOptions): Promise<void> {
  await parts.workloop.stop();
  const inFlight = parts.runs();
  if (inFlight.length > 0) logger.info(`Shutting down: waiting up to ${timeoutMs / 1000}s for ${inFlight.length} run(s) in flight`);
  const unfinished = await notDoneWithin(inFlight, timeoutMs);
  if (unfinished.length > 0) {
    logger.warn(`Killing ${unfinished.length} run(s) still in flight: ${unfinished.map((run) => run.id).join(', ')}`);
    const error = new ShutdownError(timeoutMs);
    for (const run of unfinished) run.kill(error);
  }
  await parts.engine.destroy();
  const unreported = await notDoneWithin(unfinished, flushTimeoutMs);
  for (const run of unreported) run.abandon('the worker shut down before Lightning could be told');
  await Promise.all(unreported.map((run) => run.done));
  await parts.queue.leave(flushTimeoutMs);
  await parts.lightning.close();
  await parts.http.close();
  logger.info('Shutdown complete');
}

/** Waits until every run is done or `ms` have passed; resolves with the runs not done by then. */
async function notDoneWithin(runs: RunHandle[], ms: number): Promise<RunHandle[]> {
  const done = new Set<RunHandle>();
  for (const run of runs) void run.done.then(() => done.add(run));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.all(runs.map((run) => run.done)), deadline]);
  clearTimeout(timer);
  return runs.filter((run) => !done.has(run));
}
