import { describeProblem, type Problem } from '@fleet/lightning-protocol';

export type Reply =
  | { status: 'ok' | 'error'; response: unknown }
  /** Raw bytes, sent as a Phoenix binary reply. */
  | { status: 'ok'; bytes: Uint8Array };

/** What a channel may do to the socket that joined it. */
export interface ChannelSocket {
  readonly connectionId: number;
  readonly workerId: string | null;
  /** A server push on this channel's topic. */
  push(event: string, payload: unknown): void;
}

/** One joined topic on one socket. */
export interface Channel {
  join(payload: unknown): Promise<Reply> | Reply;
  handle(event: string, payload: unknown): Promise<Reply> | Reply;
  /** The client left, or the socket closed. */
  leave(): void;
}

export type ChannelFactory = (topic: string, socket: ChannelSocket) => Channel | undefined;

export const ok = (response: unknown = {}): Reply => ({ status: 'ok', response });

/** Error replies always carry a `reason` string: the worker logs it as the failure. */
export const refuse = (reason: string, errors?: Record<string, string[]>): Reply => ({
  status: 'error',
  response: errors ? { reason, errors } : { reason },
});

/** Names every bad field in `reason`, and lists them per field in `errors`. */
export function refuseInvalid(event: string, problems: Problem[]): Reply {
  const errors: Record<string, string[]> = {};
  for (const { field, message } of problems) (errors[field] ??= []).push(message);
  return refuse(`invalid ${event} payload: ${problems.map(describeProblem).join('; ')}`, errors);
}

export const unknownEvent = (topic: string, event: string): Reply => refuse(`unknown event ${event} on ${topic}`);
