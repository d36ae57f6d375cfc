import type { Socket } from 'phoenix';
import { DataclipError, FetchPlanError } from '../errors.js';
import { joinChannel, type JoinedChannel } from './channel.js';
import { deliver } from './deliver.js';

export interface RunChannel {
  readonly channel: JoinedChannel;
  fetchPlan(): Promise<unknown>;
  /** The run's input state. */
  fetchDataclip(id: string): Promise<unknown>;
  /** A credential body, for the engine's credential resolver. */
  fetchCredential(id: string): Promise<unknown>;
  leave(): Promise<void>;
}

export interface RunChannelOptions {
  timeoutMs: number;
  /** Aborts the join and every fetch (the run was killed). */
  signal: AbortSignal;
}

/**
 * Joins `run:<id>` with the run's token. Fetches wait out a disconnect and
 * are asked again on the rejoined channel. A refused or timed-out join rejects,
 * and the channel is left so phoenix stops rejoining it.
 */
export async function joinRunChannel(socket: Socket, runId: string, token: string, { timeoutMs, signal }: RunChannelOptions): Promise<RunChannel> {
  const channel = joinChannel(socket, `run:${runId}`, { token }, timeoutMs);
  const leave = (): Promise<void> => channel.leave(timeoutMs);
  try {
    await Promise.race([channel.firstJoin, channel.whenJoined(signal)]);
  } catch (error) {
    await leave();
    throw error;
  }
  const fetch = (event: string, payload: object): Promise<unknown> => deliver(channel, event, payload, { timeoutMs, signal });
  return {
    channel,
    leave,
    fetchPlan: () =>
      fetch('fetch:plan', {}).catch((error: Error) => {
        throw signal.aborted ? error : new FetchPlanError(runId, error.message);
      }),
    fetchDataclip: async (id) => {
      try {
        return decodeDataclip(await fetch('fetch:dataclip', { id }));
      } catch (error) {
        throw signal.aborted ? error : new DataclipError(id, (error as Error).message);
      }
    },
    fetchCredential: (id) => fetch('fetch:credential', { id }),
  };
}

/**
 * A dataclip arrives as raw JSON bytes: a binary reply (an ArrayBuffer), or an
 * array of byte values from servers that cannot send binary replies.
 */
export function decodeDataclip(response: unknown): unknown {
  const bytes = bytesOf(response);
  return bytes ? JSON.parse(new TextDecoder().decode(bytes)) : response;
}

function bytesOf(response: unknown): Uint8Array | undefined {
  if (response instanceof ArrayBuffer) return new Uint8Array(response);
  if (ArrayBuffer.isView(response)) return new Uint8Array(response.buffer, response.byteOffset, response.byteLength);
  if (Array.isArray(response)) return Uint8Array.from(response as number[]);
  return undefined;
}
