import { Socket } from 'phoenix';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { ErrorReporter } from '../util/error-reporter.js';

// The protocol revision this worker speaks (Lightning checks the major part).
const API_VERSION = '1.2';

export interface LightningSocketOptions {
  /** The worker endpoint, e.g. ws://localhost:4000/worker; phoenix appends /websocket. */
  url: string;
  /** The worker's JWT, sent with every (re)connect. */
  token: string;
  workerVersion: string;
  /** Default reply timeout of pushes and joins. */
  timeoutMs: number;
  logger: Logger;
  /** Delay before reconnect attempt number `tries` (from 1). */
  reconnectAfterMs?: (tries: number) => number;
  reporter: ErrorReporter;
}

export interface LightningSocket {
  readonly socket: Socket;
  readonly connected: boolean;
  /** Why the last attempt to connect failed, while not connected. */
  readonly lastError: string | undefined;
  /** Closes the connection for good: no reconnect follows. */
  close(): Promise<void>;
}

/** Doubles from half a second up to 15 s: quick after a blip, gentle on a Lightning that is down. */
export const reconnectBackoff = (tries: number): number => Math.min(15_000, 500 * 2 ** Math.max(0, tries - 1));

/**
 * The one websocket to Lightning that carries the queue channel and every run
 * channel. Phoenix reconnects it whenever it drops, and rejoins the channels
 * that were joined on it.
 */
export function connectToLightning({ url, token, workerVersion, timeoutMs, logger, reporter, reconnectAfterMs = reconnectBackoff }: LightningSocketOptions): LightningSocket {
  const socket = new Socket(url, {
    // `ws` rather than Node's global WebSocket: it reports the HTTP status of a refused
    // upgrade (see describe below), which tells an operator a wrong secret from a down Lightning.
    transport: WebSocket,
    params: { token, api_version: API_VERSION, worker_version: workerVersion },
    timeout: timeoutMs,
    reconnectAfterMs,
  });
  let open = false;
  let closing = false;
  let failedAttempts = 0;
  let lastError: string | undefined;

  socket.onOpen(() => {
    open = true;
    failedAttempts = 0;
    lastError = undefined;
    logger.info(`Connected to Lightning at ${url}`);
  });
  socket.onError((error) => {
    if (closing || open) return;
    failedAttempts += 1;
    lastError = describe(error);
    logger.warn(`Cannot connect to Lightning at ${url} (${lastError}); attempt ${failedAttempts}, retrying with backoff`);
    // The first failure of a streak: an outage is one report, not one per retry.
    if (failedAttempts === 1) reporter.report(new Error(`Cannot connect to Lightning at ${url}: ${lastError}`), { where: 'socket' });
  });
  socket.onClose((event) => {
    if (!open) return;
    open = false;
    if (closing) logger.info('Disconnected from Lightning');
    else logger.warn(`Disconnected from Lightning (code ${event.code ?? 'none'}); reconnecting, runs in flight keep executing`);
  });
  socket.connect();

  return {
    socket,
    get connected() {
      return open;
    },
    get lastError() {
      return open ? undefined : lastError;
    },
    close() {
      closing = true;
      return new Promise((resolve) => socket.disconnect(() => resolve()));
    },
  };
}

// ws reports a refused upgrade as "Unexpected server response: 401" on an error event.
function describe(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : 'connection failed';
}
