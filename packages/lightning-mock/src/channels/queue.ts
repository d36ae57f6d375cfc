import type { MockEmitter } from '../events.js';
import type { Logger } from '@fleet/runtime';
import type { RunTokens } from '../run-token.js';
import type { RunStore } from '../run-store.js';
import { check, claimSchema, QUEUE_TOPIC, queueJoinSchema } from '@fleet/lightning-protocol';
import { ok, refuseInvalid, unknownEvent, type Channel, type ChannelSocket, type Reply } from './channel.js';

export { QUEUE_TOPIC };

interface QueueDeps {
  store: RunStore;
  runTokens: RunTokens;
  emitter: MockEmitter;
  logger: Logger;
}

export interface QueueChannels {
  create(socket: ChannelSocket): Channel;
  /** Tells every socket on the queue that a run is waiting. */
  announceWork(): void;
}

export function createQueueChannels({ store, runTokens, emitter, logger }: QueueDeps): QueueChannels {
  const joined = new Set<ChannelSocket>();

  async function claim(socket: ChannelSocket, payload: { demand: number; worker_name?: string | null; queues?: string[] | undefined }): Promise<Reply> {
    const workerName = payload.worker_name ?? null;
    const ids = store.claim(payload.demand, { connectionId: socket.connectionId, workerName, workerId: socket.workerId }, payload.queues);
    const runs = await Promise.all(ids.map(async (id) => ({ id, token: await runTokens.sign(id) })));
    logger.debug(`Claim from ${workerName ?? socket.workerId ?? `connection ${socket.connectionId}`}: demand ${payload.demand}, gave ${runs.length}`);
    emitter.emit('claim', { connectionId: socket.connectionId, workerName, demand: payload.demand, queues: payload.queues ?? null, runs });
    return ok({ runs });
  }

  return {
    create: (socket) => ({
      join(payload) {
        const checked = check(queueJoinSchema, payload);
        if (!checked.ok) return refuseInvalid('phx_join', checked.problems);
        joined.add(socket);
        return ok();
      },
      handle(event, payload) {
        if (event !== 'claim') return unknownEvent(QUEUE_TOPIC, event);
        const checked = check(claimSchema, payload);
        return checked.ok ? claim(socket, checked.value) : refuseInvalid(event, checked.problems);
      },
      leave() {
        joined.delete(socket);
      },
    }),

    announceWork() {
      for (const socket of joined) socket.push('work-available', {});
    },
  };
}
