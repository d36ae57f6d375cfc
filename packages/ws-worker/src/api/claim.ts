import type { JoinedChannel } from '../channels/channel.js';
import { check, claimReplySchema, type ClaimedRun } from '@fleet/lightning-protocol';

export interface ClaimOptions {
  /** How many runs to ask for. */
  demand: number;
  /** The queues to take them from, in priority order; `*` is any. */
  queues: string[];
  /** Shown in Lightning as the worker that took the run. */
  workerName: string;
  timeoutMs: number;
}

/** Asks Lightning for runs on the queue channel; resolves with the runs it handed out (often none). */
export async function claim(queue: Pick<JoinedChannel, 'request'>, { demand, queues, workerName, timeoutMs }: ClaimOptions): Promise<ClaimedRun[]> {
  return claimedRuns(await queue.request('claim', { demand, worker_name: workerName, queues }, timeoutMs));
}

/** The runs of a claim reply, `{ runs: [{ id, token }] }`; throws on any other shape. */
export function claimedRuns(response: unknown): ClaimedRun[] {
  const checked = check(claimReplySchema, response);
  if (!checked.ok) throw new TypeError(`Lightning answered a claim with ${JSON.stringify(response)}, not { runs: [{ id, token }] }`);
  return checked.value.runs.map(({ id, token }) => ({ id, token }));
}
