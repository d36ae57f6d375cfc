import type { MockEmitter } from '../events.js';
import type { Logger } from '@fleet/runtime';
import type { RunTokens } from '../run-token.js';
import type { RunStore } from '../run-store.js';
import { arrayOf, nonEmptyString, nullable, number, optional, positiveInteger, recordOf, required, shape, string } from '../validate-fields.js';
import { ok, refuseInvalid, unknownEvent, type Channel, type ChannelSocket, type Reply } from './channel.js';

export const QUEUE_TOPIC = 'worker:queue';

const joinPayload = shape({ capacity: optional(number), queues: optional(recordOf(number)) });

const claimPayload = shape({
  demand: required(positiveInteger),
  worker_name: optional(nullable(string)),
  // Queue names are accepted but not used to choose runs: the mock has one FIFO queue.
  queues: optional(arrayOf(nonEmptyString)),
});

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

  async function claim(socket: ChannelSocket, payload: { demand: number; worker_name?: string | null }): Promise<Reply> {
    const workerName = payload.worker_name ?? null;
    const ids = store.claim(payload.demand, { connectionId: socket.connectionId, workerName, workerId: socket.workerId });
    const runs = await Promise.all(ids.map(async (id) => ({ id, token: await runTokens.sign(id) })));
    logger.debug(`Claim from ${workerName ?? socket.workerId ?? `connection ${socket.connectionId}`}: demand ${payload.demand}, gave ${runs.length}`);
    emitter.emit('claim', { connectionId: socket.connectionId, workerName, demand: payload.demand, runs });
    return ok({ runs });
  }

  return {
    create: (socket) => ({
      join(payload) {
        const problems = joinPayload(payload, '');
        if (problems.length > 0) return refuseInvalid('phx_join', problems);
        joined.add(socket);
        return ok();
      },
      handle(event, payload) {
        if (event !== 'claim') return unknownEvent(QUEUE_TOPIC, event);
        const problems = claimPayload(payload, '');
        return problems.length > 0 ? refuseInvalid(event, problems) : claim(socket, payload as { demand: number });
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
