import type { Logger } from 'pino';
import type { RunEventName, RunEvents } from '@fleet/lightning-protocol';
import type { JoinedChannel } from './channel.js';
import { deliver } from './deliver.js';

export interface OutboxOptions {
  runId: string;
  timeoutMs: number;
  logger: Logger;
  /**
   * Log lines held at most while Lightning is slow or unreachable; later lines
   * are dropped (lifecycle events never are), so a chatty job cannot exhaust
   * the worker's memory during an outage.
   */
  maxQueuedLogs?: number;
}

export interface Outbox {
  send<E extends RunEventName>(event: E, payload: RunEvents[E]): void;
  /** Resolves when every event sent so far was answered, refused, or given up. */
  drained(): Promise<void>;
  /** Drops every event not yet delivered, and every later one. */
  abandon(reason: string): void;
}

const DEFAULT_MAX_QUEUED_LOGS = 10_000;

/**
 * A run's events on their way to Lightning, one at a time and in order (the
 * next is pushed once the previous was answered), held across disconnects.
 */
export function createOutbox(channel: JoinedChannel, { runId, timeoutMs, logger, maxQueuedLogs = DEFAULT_MAX_QUEUED_LOGS }: OutboxOptions): Outbox {
  const queue: Array<{ event: RunEventName; payload: object }> = [];
  const abandoned = new AbortController();
  let queuedLogs = 0;
  let droppedLogs = 0;
  let pumping: Promise<void> | undefined;

  async function pump(): Promise<void> {
    try {
      for (let item = queue[0]; item && !abandoned.signal.aborted; item = queue[0]) {
        try {
          await deliver(channel, item.event, item.payload, { timeoutMs, signal: abandoned.signal });
        } catch (error) {
          if (abandoned.signal.aborted) return;
          logger.warn(`Run ${runId}: Lightning did not take ${item.event}: ${(error as Error).message}`);
        }
        queue.shift();
        if (item.event === 'run:log') queuedLogs -= 1;
      }
    } finally {
      pumping = undefined;
      if (droppedLogs > 0) logger.warn(`Run ${runId}: ${droppedLogs} log lines were dropped while Lightning was slow or unreachable`);
      droppedLogs = 0;
    }
  }

  return {
    send(event, payload) {
      if (abandoned.signal.aborted) return;
      if (event === 'run:log') {
        if (queuedLogs >= maxQueuedLogs) {
          droppedLogs += 1;
          return;
        }
        queuedLogs += 1;
      }
      queue.push({ event, payload });
      pumping ??= pump();
    },

    async drained() {
      while (pumping) await pumping;
    },

    abandon(reason) {
      if (abandoned.signal.aborted) return;
      if (queue.length > 0) logger.error(`Run ${runId}: ${queue.length} events were never delivered to Lightning: ${reason}`);
      queue.length = 0;
      abandoned.abort(new Error(reason));
    },
  };
}
