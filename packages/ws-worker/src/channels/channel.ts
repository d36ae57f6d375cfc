import { EventEmitter } from 'node:events';
import type { Socket } from 'phoenix';
import { ChannelLostError, LightningReplyError, LightningTimeoutError } from '../errors.js';

/**
 * What happens to a joined topic over time: `joined` on every successful
 * (re)join, `lost` when its connection dropped or a join timed out (phoenix
 * rejoins by itself), `refused` when Lightning answered a join with an error.
 */
export type ChannelStatus = 'joined' | 'lost' | 'refused';

export interface JoinedChannel {
  readonly topic: string;
  readonly joined: boolean;
  /** Settles with the reply to the first join: a refusal or timeout rejects. */
  readonly firstJoin: Promise<unknown>;
  /**
   * One push and its reply. Rejects with LightningReplyError, LightningTimeoutError,
   * ChannelLostError (not joined, or the connection dropped before the reply) or
   * the signal's reason.
   */
  request(event: string, payload: object, timeoutMs: number, signal?: AbortSignal): Promise<unknown>;
  /** Resolves once the channel is joined (at once if it is); rejects when the signal aborts. */
  whenJoined(signal?: AbortSignal): Promise<void>;
  onStatus(status: ChannelStatus, listener: (response?: unknown) => void): () => void;
  /** Server pushes of one event on this topic. */
  onMessage(event: string, listener: (payload: unknown) => void): void;
  /** Leaves the topic for good: phoenix stops rejoining it. */
  leave(timeoutMs: number): Promise<void>;
}

/** Joins `topic` on the socket; phoenix rejoins it with the same params after every reconnect. */
export function joinChannel(socket: Socket, topic: string, params: object, timeoutMs: number): JoinedChannel {
  const channel = socket.channel(topic, params);
  const statuses = new EventEmitter();
  let joined = false;
  const setStatus = (status: ChannelStatus, response?: unknown): void => {
    joined = status === 'joined';
    statuses.emit(status, response);
  };

  const firstJoin = new Promise<unknown>((resolve, reject) => {
    // Phoenix keeps these hooks for every rejoin; the promise only takes the first.
    channel
      .join(timeoutMs)
      .receive('ok', (response) => {
        setStatus('joined');
        resolve(response);
      })
      .receive('error', (response) => {
        setStatus('refused', response);
        reject(new LightningReplyError('phx_join', response));
      })
      .receive('timeout', () => {
        setStatus('lost');
        reject(new LightningTimeoutError('phx_join', timeoutMs));
      });
  });
  // A queue channel's first join may fail and nobody waits on it: phoenix retries.
  firstJoin.catch(() => undefined);
  channel.onError(() => setStatus('lost'));

  const onStatus = (status: ChannelStatus, listener: (response?: unknown) => void): (() => void) => {
    statuses.on(status, listener);
    return () => void statuses.off(status, listener);
  };

  return {
    topic,
    get joined() {
      return joined;
    },
    firstJoin,
    onStatus,

    request(event, payload, requestTimeoutMs, signal) {
      if (!joined) return Promise.reject(new ChannelLostError(event));
      return settleOnce<unknown>(signal, (resolve, reject, cleanup) => {
        cleanup(onStatus('lost', () => reject(new ChannelLostError(event))));
        channel
          .push(event, payload, requestTimeoutMs)
          .receive('ok', resolve)
          .receive('error', (response) => reject(new LightningReplyError(event, response)))
          .receive('timeout', () => reject(new LightningTimeoutError(event, requestTimeoutMs)));
      });
    },

    whenJoined(signal) {
      if (joined) return Promise.resolve();
      return settleOnce<void>(signal, (resolve, _reject, cleanup) => cleanup(onStatus('joined', () => resolve())));
    },

    onMessage(event, listener) {
      channel.on(event, listener);
    },

    leave(leaveTimeoutMs) {
      statuses.removeAllListeners();
      joined = false;
      return new Promise((resolve) => {
        channel
          .leave(leaveTimeoutMs)
          .receive('ok', () => resolve())
          .receive('timeout', () => resolve());
      });
    },
  };
}

type Executor<T> = (resolve: (value: T) => void, reject: (error: unknown) => void, cleanup: (undo: () => void) => void) => void;

/**
 * A promise that settles once: by the executor, or by the signal aborting. The
 * undo functions registered with `cleanup` run when it settles, so no listener
 * outlives its promise.
 */
function settleOnce<T>(signal: AbortSignal | undefined, executor: Executor<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const undos: Array<() => void> = [];
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      undos.forEach((undo) => undo());
      finish();
    };
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => settle(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    undos.push(() => signal?.removeEventListener('abort', onAbort));
    executor(
      (value) => settle(() => resolve(value)),
      (error) => settle(() => reject(error)),
      (undo) => (settled ? undo() : undos.push(undo)),
    );
  });
}
