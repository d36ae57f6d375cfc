import type { Logger } from '@fleet/runtime';
import type { LostRuns } from '../lost-runs.js';
import type { RunTokens } from '../run-token.js';
import type { RunStore } from '../run-store.js';
import { isFinal } from '../run-status.js';
import { isRunEvent, validateEvent, type RunEvent } from '../validate-event.js';
import { describeProblem } from '@fleet/lightning-protocol';
import { ok, refuse, refuseInvalid, unknownEvent, type Channel, type ChannelSocket, type Reply } from './channel.js';

export const RUN_TOPIC_PREFIX = 'run:';

interface RunChannelDeps {
  store: RunStore;
  runTokens: RunTokens;
  lostRuns: LostRuns;
  logger: Logger;
}

/** The channel of one run, `run:<id>`; joined with the token its claim handed out. */
export function createRunChannel(runId: string, socket: ChannelSocket, { store, runTokens, lostRuns, logger }: RunChannelDeps): Channel {
  const topic = `${RUN_TOPIC_PREFIX}${runId}`;

  const finished = (): Reply | undefined => {
    const status = store.status(runId);
    return isFinal(status) ? refuse(`run ${runId} has already finished (${status})`) : undefined;
  };

  // The reply to an accepted event; what the event changes is the store's business.
  const answer = (event: RunEvent, payload: Record<string, unknown>): Reply => {
    switch (event) {
      case 'fetch:plan':
        return ok(store.planReply(runId));
      case 'fetch:credential':
        return fetchCredential(payload.id as string);
      case 'fetch:dataclip':
        return fetchDataclip(payload.id as string);
      case 'run:start':
        return ok(null);
      case 'step:start':
        return ok({ step_id: payload.step_id });
      default:
        return ok();
    }
  };

  const fetchCredential = (id: string): Reply =>
    store.credentials.has(id) ? ok(store.credentials.get(id)) : refuse('not_found', { id: [`no credential with id ${id}`] });

  const fetchDataclip = (id: string): Reply => {
    const json = store.dataclips.get(id);
    return json === undefined ? refuse('not_found', { id: [`no dataclip with id ${id}`] }) : { status: 'ok', bytes: new TextEncoder().encode(json) };
  };

  return {
    async join(payload) {
      if (!store.has(runId)) return refuse('not_found');
      const token = typeof payload === 'object' && payload !== null ? (payload as { token?: unknown }).token : undefined;
      if (typeof token !== 'string' || !(await runTokens.verify(token, runId))) {
        logger.warn(`Refused join of ${topic}: missing or invalid run token`);
        return refuse('unauthorized');
      }
      const done = finished();
      if (done) return done;
      store.setOwner(runId, socket.connectionId);
      lostRuns.rejoined(runId);
      return ok();
    },

    handle(event, payload) {
      if (!isRunEvent(event)) return unknownEvent(topic, event);
      const done = finished();
      if (done) return done;
      const refusal = store.refusal(runId, event);
      if (refusal !== undefined) {
        logger.warn(`Refused ${event} on ${topic}: ${refusal} (as enqueued)`);
        return refuse(refusal);
      }
      const problems = validateEvent(event, payload, store.context(runId));
      if (problems.length > 0) {
        logger.warn(`Refused ${event} on ${topic}: ${problems.map(describeProblem).join('; ')}`);
        return refuseInvalid(event, problems);
      }
      const accepted = payload as Record<string, unknown>;
      store.accept(runId, event, accepted);
      return answer(event, accepted);
    },

    // Leaving is what a worker does after run:complete, and after a failed join;
    // whether a pending run is lost is decided by its socket closing, not by this.
    leave() {},
  };
}
