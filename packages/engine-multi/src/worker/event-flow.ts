// A run's events leave its process no faster than the worker takes them on to
// Lightning: back-pressure that costs the run's own memory, never the worker's.
// The worker grants the run a window of log lines; each line sent uses one up,
// and the worker gives them back as Lightning takes lines. Lines written while
// the window is used up wait here, in order, with every event after them.
import { megabytes } from './outgoing.js';
import type { ReportedEvent } from './protocol.js';

export interface FlowBounds {
  /** Log lines of job code kept at most while they wait; later ones are counted and dropped. */
  maxLines: number;
  maxBytes: number;
}

export interface EventFlow {
  /** Sends the event now, or keeps it, in order, until the window lets it go. */
  report(event: ReportedEvent): void;
  /** Sets the window: log lines that may be sent before the worker gives any back. */
  open(window: number): void;
  /** The worker took `lines` more: that many more may go. */
  grant(lines: number): void;
  /**
   * Resolves once everything kept has gone; a run that ends waits for this.
   * After `timeoutMs` the rest goes at once: a run never waits on Lightning for long.
   */
  drain(timeoutMs: number): Promise<void>;
}

type Kept = ReportedEvent | { dropped: number };

const UNLIMITED = Number.MAX_SAFE_INTEGER;

export function createEventFlow(send: (event: ReportedEvent) => void, { maxLines, maxBytes }: FlowBounds, now: () => string): EventFlow {
  let credit = UNLIMITED;
  const kept: Kept[] = [];
  let lines = 0;
  let bytes = 0;
  let whenGranted: (() => void) | undefined;

  const note = (dropped: number): ReportedEvent => ({
    type: 'log',
    level: 'warn',
    source: 'R/T',
    message: [
      `${dropped} log line${dropped === 1 ? '' : 's'} dropped: the run wrote them faster than Lightning took them, with ${maxLines} lines or ${megabytes(maxBytes)} already waiting`,
    ],
    time: now(),
  });

  const sendOne = (event: ReportedEvent): void => {
    if (event.type === 'log') credit -= 1;
    send(event);
  };

  // Sends what the window allows, in order; `force`: everything.
  const flush = (force = false): void => {
    let count = 0;
    let allowed = credit;
    while (count < kept.length && (force || allowed > 0 || !isLine(kept[count]!))) {
      if (isLine(kept[count]!)) allowed -= 1;
      count += 1;
    }
    for (const item of kept.splice(0, count)) {
      if ('dropped' in item) {
        sendOne(note(item.dropped));
        continue;
      }
      if (item.type === 'log' && item.source !== 'R/T') {
        lines -= 1;
        bytes -= size(item);
      }
      sendOne(item);
    }
  };

  return {
    report(event) {
      if (kept.length === 0 && (event.type !== 'log' || credit > 0)) return sendOne(event);
      // The runtime's own lines are few and say what went on (a crash, a dropped count): never dropped.
      if (event.type === 'log' && event.source !== 'R/T') {
        const eventBytes = size(event);
        if (lines >= maxLines || bytes + eventBytes > maxBytes) {
          const last = kept.at(-1);
          if (last && 'dropped' in last) last.dropped += 1;
          else kept.push({ dropped: 1 });
          return;
        }
        lines += 1;
        bytes += eventBytes;
      }
      kept.push(event);
    },
    open(window) {
      credit = window;
    },
    grant(granted) {
      credit = Math.min(UNLIMITED, credit + granted);
      flush();
      whenGranted?.();
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (kept.length > 0 && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          whenGranted = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        whenGranted = undefined;
      }
      flush(true);
    },
  };
}

const isLine = (item: Kept): boolean => 'dropped' in item || item.type === 'log';

const size = (event: Extract<ReportedEvent, { type: 'log' }>): number => Buffer.byteLength(JSON.stringify(event.message));
