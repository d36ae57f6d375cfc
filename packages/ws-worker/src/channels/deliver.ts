import { ChannelLostError } from '../errors.js';
import type { JoinedChannel } from './channel.js';

export interface DeliverOptions {
  timeoutMs: number;
  /** Gives up waiting: rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Pushes an event until Lightning answers it. While the connection is down it
 * waits for the channel to be rejoined; a push whose connection dropped before
 * the reply is sent again, so an event may arrive twice but is never lost to a
 * reconnect. A timeout on a live connection and an error reply reject: sending
 * again would not change Lightning's mind.
 */
export async function deliver(channel: JoinedChannel, event: string, payload: object, { timeoutMs, signal }: DeliverOptions): Promise<unknown> {
  for (;;) {
    await channel.whenJoined(signal);
    try {
      return await channel.request(event, payload, timeoutMs, signal);
    } catch (error) {
      if (!(error instanceof ChannelLostError)) throw error;
    }
  }
}
