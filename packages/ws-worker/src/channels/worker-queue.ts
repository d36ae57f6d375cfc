import { QUEUE_TOPIC } from '@fleet/lightning-protocol';
import type { Socket } from 'phoenix';
import type { Logger } from 'pino';
import type { ErrorReporter } from '../util/error-reporter.js';
import { joinChannel, type JoinedChannel } from './channel.js';

export { QUEUE_TOPIC };

export interface WorkerQueueOptions {
  /** Runs this worker executes at once, for Lightning's bookkeeping. */
  capacity: number;
  /** Each claim loop's capacity, by its queues joined with `>` (`manual>*`). */
  queues: Record<string, number>;
  timeoutMs: number;
  logger: Logger;
  /** The queue was (re)joined: claiming can start. */
  onJoined(): void;
  /** The queue is gone until phoenix rejoins it: claims would only fail. */
  onLost(): void;
  /** Lightning has a run waiting. */
  onWorkAvailable(): void;
  reporter: ErrorReporter;
}

/** The join's `queues`: each loop's capacity by its queues joined with `>`; two loops alike add up. */
export function queueCapacities(loops: Array<{ queues: string[]; capacity: number }>): Record<string, number> {
  const capacities = new Map<string, number>();
  for (const { queues, capacity } of loops) capacities.set(queues.join('>'), (capacities.get(queues.join('>')) ?? 0) + capacity);
  return Object.fromEntries(capacities);
}

/** Joins `worker:queue`, the channel claims go through, and keeps the worker told whether it is usable. */
export function joinWorkerQueue(socket: Socket, { capacity, queues, timeoutMs, logger, onJoined, onLost, onWorkAvailable, reporter }: WorkerQueueOptions): JoinedChannel {
  const queue = joinChannel(socket, QUEUE_TOPIC, { capacity, queues }, timeoutMs);
  queue.onStatus('joined', () => {
    logger.info(`Joined ${QUEUE_TOPIC}: claiming runs`);
    onJoined();
  });
  queue.onStatus('lost', onLost);
  // Phoenix keeps retrying the join; a refusal usually means a wrong worker secret.
  queue.onStatus('refused', (response) => {
    const message = `Lightning refused to let this worker join ${QUEUE_TOPIC}: ${JSON.stringify(response)}`;
    logger.error(message);
    reporter.report(new Error(message), { where: 'socket' });
    onLost();
  });
  queue.onMessage('work-available', onWorkAvailable);
  return queue;
}
