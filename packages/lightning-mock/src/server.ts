import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQueueChannels, QUEUE_TOPIC } from './channels/queue.js';
import { createRunChannel, RUN_TOPIC_PREFIX } from './channels/run.js';
import type { ChannelFactory } from './channels/channel.js';
import { CollectionStore } from './collections.js';
import { createDevApi, type DevApi } from './dev-api.js';
import { createMockEmitter, type MockEvents } from './events.js';
import { createHttpHandler } from './http.js';
import { createLostRuns } from './lost-runs.js';
import { resolveOptions, type LightningMockOptions } from './options.js';
import { createRunTokens } from './run-token.js';
import { RunStore } from './run-store.js';
import { attachWorkerSockets } from './socket/websocket-server.js';
import type { TypedEmitter } from './typed-emitter.js';

type Subscribe = TypedEmitter<MockEvents>['on'];

export interface LightningMock extends DevApi {
  readonly host: string;
  readonly port: number;
  /** The endpoint to give a worker (`--lightning`), e.g. ws://127.0.0.1:8888/worker. */
  readonly url: string;
  /** Base of the HTTP dev API, e.g. http://127.0.0.1:8888. */
  readonly httpUrl: string;
  /** PEM public key of RS256 run tokens (workers take it base64-encoded); undefined without runPrivateKey. */
  readonly runPublicKey: string | undefined;
  on: Subscribe;
  once: Subscribe;
  off: Subscribe;
  /** Disconnects every worker and stops listening. Pending runs are left as they are, not lost. */
  close(): Promise<void>;
}

export async function createLightningMock(options: LightningMockOptions = {}): Promise<LightningMock> {
  const { port, host, secret, runPrivateKey, logger, lostGraceMs } = resolveOptions(options);
  const emitter = createMockEmitter();
  const store = new RunStore(emitter);
  const runTokens = createRunTokens(runPrivateKey, secret);
  const lostRuns = createLostRuns(store, lostGraceMs, logger);
  const queue = createQueueChannels({ store, runTokens, emitter, logger });
  const collections = new CollectionStore();
  const api = createDevApi(store, emitter, collections);
  let closing = false;

  emitter.on('enqueue', () => queue.announceWork());

  const channelFor: ChannelFactory = (topic, socket) => {
    if (topic === QUEUE_TOPIC) return queue.create(socket);
    if (topic.startsWith(RUN_TOPIC_PREFIX)) {
      return createRunChannel(topic.slice(RUN_TOPIC_PREFIX.length), socket, { store, runTokens, lostRuns, logger });
    }
    return undefined;
  };

  const server = createServer(createHttpHandler(api, { store: collections, runTokens }, logger));
  const sockets = attachWorkerSockets(server, {
    secret,
    channelFor,
    emitter,
    logger,
    // Closing the mock drops every socket; that says nothing about the runs.
    onDisconnect: (connectionId) => closing || lostRuns.disconnected(connectionId),
  });
  const address = await listen(server, port, host);
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info(`Lightning mock listening on ws://${urlHost}:${address.port}/worker`);

  return {
    ...api,
    host: address.address,
    port: address.port,
    url: `ws://${urlHost}:${address.port}/worker`,
    httpUrl: `http://${urlHost}:${address.port}`,
    runPublicKey: runTokens.publicKey,
    on: (name, listener) => emitter.on(name, listener),
    once: (name, listener) => emitter.once(name, listener),
    off: (name, listener) => emitter.off(name, listener),
    async close() {
      if (closing) return;
      closing = true;
      lostRuns.dispose();
      emitter.emit('close', undefined);
      await sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
