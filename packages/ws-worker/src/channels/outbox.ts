import { randomUUID } from 'node:crypto';
import { FRAME_LIMIT_BYTES, fitsInFrame, type BatchLogLine, type RunEventName, type RunEvents, type RunLogPayload } from '@fleet/lightning-protocol';
import type { Logger } from 'pino';
import { workerLogPayload } from '../events/run-log.js';
import { formatBytes } from '../util/format.js';
import type { JoinedChannel } from './channel.js';
import { deliver } from './deliver.js';

/** Log lines go as `run:batch_logs`: up to `limit` lines, each batch waiting at most `intervalMs` for more. */
export interface BatchLogs {
  intervalMs: number;
  limit: number;
}

export interface OutboxOptions {
  runId: string;
  timeoutMs: number;
  logger: Logger;
  /**
   * Log lines (and their bytes) held at most while Lightning is slower than the
   * run; past either bound lines of job code are dropped, and a line in their
   * place says how many and why. Lifecycle events are never dropped. A run kept
   * to a window of lines (`onTaken`) never comes near the bound.
   */
  maxQueuedLogs?: number;
  maxQueuedLogBytes?: number;
  batch?: BatchLogs;
  /** Told how many log lines left the queue (delivered, refused or dropped): the run may send as many more. */
  onTaken?: (lines: number) => void;
  /** Told of every event Lightning refused or did not answer. */
  onRefused?: (event: string, error: Error) => void;
}

export interface Outbox {
  send<E extends RunEventName>(event: E, payload: RunEvents[E]): void;
  /** Resolves when every event sent so far was answered, refused, or given up. */
  drained(): Promise<void>;
  /** Drops every event not yet delivered, and every later one. */
  abandon(reason: string): void;
}

const DEFAULT_MAX_QUEUED_LOGS = 20_000;
const DEFAULT_MAX_QUEUED_LOG_BYTES = 16 * 1024 * 1024;

interface Item {
  event: RunEventName;
  payload: object;
  /** Of the payload's JSON. */
  bytes: number;
}

/**
 * A run's events on their way to Lightning, one push at a time and in order
 * (the next once the previous was answered), held across disconnects. No push
 * is larger than Lightning's frame limit: the event builders keep them small,
 * and anything that still is never leaves.
 */
export function createOutbox(channel: JoinedChannel, options: OutboxOptions): Outbox {
  const { runId, timeoutMs, logger, batch, onTaken, onRefused } = options;
  const maxLogs = options.maxQueuedLogs ?? DEFAULT_MAX_QUEUED_LOGS;
  const maxLogBytes = options.maxQueuedLogBytes ?? DEFAULT_MAX_QUEUED_LOG_BYTES;
  const topic = `run:${runId}`;
  const queue: Item[] = [];
  const abandoned = new AbortController();
  let logs = 0;
  let logBytes = 0;
  let dropped = 0;
  let pumping: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const enqueue = (item: Item): void => {
    queue.push(item);
    if (item.event === 'run:log') {
      logs += 1;
      logBytes += item.bytes;
    }
    wake?.();
    pumping ??= pump();
  };

  const shift = (count: number): void => {
    let taken = 0;
    for (const item of queue.splice(0, count)) {
      if (item.event !== 'run:log') continue;
      logs -= 1;
      logBytes -= item.bytes;
      taken += 1;
    }
    if (taken > 0) onTaken?.(taken);
  };

  // The line that stands where lines were dropped, so the run's log shows the gap.
  const noteDropped = (): void => {
    if (dropped === 0) return;
    const text = `${dropped} log line${dropped === 1 ? '' : 's'} dropped: the run wrote them faster than Lightning took them, with ${logs} lines (${formatBytes(logBytes)}) already waiting to be sent`;
    logger.warn(`Run ${runId}: ${text}`);
    dropped = 0;
    const line = workerLogPayload(runId, 'R/T', 'warn', text);
    enqueue({ event: 'run:log', payload: line, bytes: Buffer.byteLength(JSON.stringify(line)) });
  };

  async function pump(): Promise<void> {
    try {
      while (queue[0] && !abandoned.signal.aborted) {
        if (batch && queue[0].event === 'run:log') await gatherBatch(batch);
        const [event, payload, count] = next();
        try {
          await deliver(channel, event, payload, { timeoutMs, signal: abandoned.signal });
        } catch (error) {
          if (abandoned.signal.aborted) return;
          logger.warn(`Run ${runId}: Lightning did not take ${event}: ${(error as Error).message}`);
          onRefused?.(event, error as Error);
        }
        shift(count);
      }
    } finally {
      pumping = undefined;
    }
  }

  // Waits, at most the interval, for a batch to fill, unless something other than a line is queued behind it.
  async function gatherBatch({ intervalMs, limit }: BatchLogs): Promise<void> {
    const deadline = performance.now() + intervalMs;
    while (leadingLogs() === queue.length && leadingLogs() < limit && !abandoned.signal.aborted) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  const leadingLogs = (): number => {
    const end = queue.findIndex((item) => item.event !== 'run:log');
    return end === -1 ? queue.length : end;
  };

  // The next push: the head event, or with batching the lines at the head that fit one frame.
  function next(): [string, object, number] {
    const head = queue[0]!;
    if (!batch || head.event !== 'run:log') return [head.event, head.payload, 1];
    const lines: BatchLogLine[] = [];
    let bytes = 0;
    for (const item of queue.slice(0, Math.min(batch.limit, leadingLogs()))) {
      if (lines.length > 0 && bytes + item.bytes > FRAME_LIMIT_BYTES - ENVELOPE_BYTES) break;
      const { run_id: _runId, ...line } = item.payload as RunLogPayload;
      lines.push(line);
      bytes += item.bytes + 1;
    }
    return ['run:batch_logs', { run_id: runId, logs: lines }, lines.length];
  }

  function send<E extends RunEventName>(event: E, payload: RunEvents[E]): void {
    if (abandoned.signal.aborted) return;
    const json = JSON.stringify(payload);
    const bytes = Buffer.byteLength(json);
    if (!fitsInFrame(topic, event, json)) {
      const text = `${event} of ${formatBytes(bytes)} not sent: over Lightning's frame limit of ${FRAME_LIMIT_BYTES} bytes`;
      logger.error(`Run ${runId}: ${text}`);
      if (event === 'run:log') send('run:log', { ...(payload as RunLogPayload), id: randomUUID(), message: [`(Log message ${text})`] });
      return;
    }
    if (event !== 'run:log') {
      noteDropped();
      return enqueue({ event, payload, bytes });
    }
    // The worker's and the runtime's own lines are few and say what happened (a crash, a dropped count): never dropped.
    const droppable = (payload as RunLogPayload).source === 'JOB' || (payload as RunLogPayload).source === 'ADA';
    if (droppable && (logs >= maxLogs || logBytes + bytes > maxLogBytes)) {
      dropped += 1;
      onTaken?.(1);
      return;
    }
    noteDropped();
    enqueue({ event, payload, bytes });
  }

  return {
    send,

    async drained() {
      noteDropped();
      while (pumping) await pumping;
    },

    abandon(reason) {
      if (abandoned.signal.aborted) return;
      if (queue.length > 0) logger.error(`Run ${runId}: ${queue.length} events were never delivered to Lightning: ${reason}`);
      queue.length = 0;
      abandoned.abort(new Error(reason));
      wake?.();
    },
  };
}

// Room, within a batch's frame, for its own fields and the frame around it.
const ENVELOPE_BYTES = 1024;

