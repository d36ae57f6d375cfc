import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { FRAME_LIMIT_BYTES } from '@fleet/lightning-protocol';
import { WebSocketServer } from 'ws';
import type { ChannelFactory } from '../channels/channel.js';
import type { MockEmitter } from '../events.js';
import type { Logger } from '@fleet/runtime';
import { verifyWorkerToken } from '../worker-token.js';
import { Connection } from './connection.js';

/** `/worker` is what workers are configured with; Phoenix clients append `/websocket`. */
export const WORKER_PATHS = ['/worker', '/worker/websocket'];

export interface WebSocketOptions {
  secret: string | undefined;
  channelFor: ChannelFactory;
  emitter: MockEmitter;
  logger: Logger;
  /** The connection closed and its channels were left. */
  onDisconnect(connectionId: number): void;
}

export interface WorkerSockets {
  /** Closes every worker socket and stops accepting new ones. */
  close(): Promise<void>;
}

/**
 * Worker sockets on the HTTP server's upgrade path. Authentication happens
 * before the upgrade, as in Lightning: a refused worker sees an HTTP error,
 * never a socket.
 */
export function attachWorkerSockets(server: Server, options: WebSocketOptions): WorkerSockets {
  const { secret, emitter, logger } = options;
  // As Lightning's endpoint: a bigger frame closes the connection (1009), and with it every run it carries.
  const wss = new WebSocketServer({ noServer: true, maxPayload: FRAME_LIMIT_BYTES });
  let nextConnectionId = 1;

  const refuse = (socket: Duplex, status: string, why: string): void => {
    logger.warn(`Refused a worker connection: ${why}`);
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!WORKER_PATHS.includes(url.pathname)) return refuse(socket, '404 Not Found', `no websocket at ${url.pathname}`);
    const vsn = url.searchParams.get('vsn');
    if (vsn !== null && vsn !== '2.0.0') return refuse(socket, '400 Bad Request', `serializer vsn ${vsn}; only 2.0.0 is spoken`);
    const token = url.searchParams.get('token');
    if (!token) return refuse(socket, '401 Unauthorized', 'no token query parameter');
    const identity = await verifyWorkerToken(token, secret);
    if (!identity) return refuse(socket, '401 Unauthorized', 'the token is not signed with the worker secret');
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connectionId = nextConnectionId++;
      const { workerId } = identity;
      const connection = new Connection(ws, { connectionId, workerId, channelFor: options.channelFor, emitter, logger });
      // Without a listener an oversized or malformed frame would take the whole mock down.
      ws.on('error', (error: Error) => {
        const oversized = /max payload/i.test(error.message);
        logger.warn(
          oversized
            ? `Connection ${connectionId} (${workerId ?? 'unnamed'}) closed: it sent a frame over Lightning's limit of ${FRAME_LIMIT_BYTES} bytes`
            : `Connection ${connectionId} (${workerId ?? 'unnamed'}) failed: ${error.message}`,
        );
      });
      ws.on('close', async () => {
        await connection.closed();
        options.onDisconnect(connectionId);
        emitter.emit('disconnect', { connectionId, workerId });
      });
      logger.info(`Worker connected: ${workerId ?? 'unnamed'} (connection ${connectionId})`);
      emitter.emit('connect', { connectionId, workerId });
    });
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(request, socket, head).catch((error: unknown) => {
      logger.error(`Worker connection failed: ${(error as Error).message}`);
      socket.destroy();
    });
  });

  return {
    close() {
      for (const ws of wss.clients) ws.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
