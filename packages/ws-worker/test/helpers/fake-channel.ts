import { EventEmitter } from 'node:events';
import type { ChannelStatus, JoinedChannel } from '../../src/channels/channel.js';
import { ChannelLostError } from '../../src/errors.js';

export interface FakeRequest {
  event: string;
  payload: object;
  resolve(response?: unknown): void;
  reject(error: Error): void;
}

/** Answers a push (resolve: ok reply; reject: error, timeout); undefined leaves it to the test. */
export type Responder = (event: string, payload: object) => Promise<unknown> | undefined;

/** A joined channel whose connection and replies the test controls. */
export class FakeChannel implements JoinedChannel {
  readonly topic = 'run:fake';
  readonly requests: FakeRequest[] = [];
  /** Every push made, answered or not, in order. */
  readonly pushed: string[] = [];
  /** The same, with payloads. */
  readonly sent: Array<{ event: string; payload: Record<string, unknown> }> = [];
  private readonly statuses = new EventEmitter();
  private isJoined = true;

  constructor(
    private readonly responder: Responder = () => undefined,
    readonly firstJoin: Promise<unknown> = Promise.resolve({}),
  ) {
    firstJoin.catch(() => undefined);
  }

  /** The payloads of every push of one event, in order. */
  payloads(event: string): Array<Record<string, unknown>> {
    return this.sent.filter((sent) => sent.event === event).map((sent) => sent.payload);
  }

  get joined(): boolean {
    return this.isJoined;
  }

  request(event: string, payload: object, _timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    if (!this.isJoined) return Promise.reject(new ChannelLostError(event));
    this.pushed.push(event);
    this.sent.push({ event, payload: payload as Record<string, unknown> });
    const reply = this.responder(event, payload) ?? new Promise((resolve, reject) => this.requests.push({ event, payload, resolve, reject }));
    if (!signal) return reply;
    // As the real channel does: an abort stops the wait, whatever the reply.
    const aborted = new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    return Promise.race([reply, aborted]);
  }

  whenJoined(signal?: AbortSignal): Promise<void> {
    if (this.isJoined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.statuses.once('joined', () => resolve());
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  onStatus(status: ChannelStatus, listener: (response?: unknown) => void): () => void {
    this.statuses.on(status, listener);
    return () => void this.statuses.off(status, listener);
  }

  onMessage(): void {}

  async leave(): Promise<void> {}

  /** The oldest unanswered push. */
  next(): FakeRequest {
    const request = this.requests.shift();
    if (!request) throw new Error('nothing was pushed');
    return request;
  }

  /** The connection drops: unanswered pushes are lost. */
  drop(): void {
    this.isJoined = false;
    for (const request of this.requests.splice(0)) request.reject(new ChannelLostError(request.event));
    this.statuses.emit('lost');
  }

  rejoin(): void {
    this.isJoined = true;
    this.statuses.emit('joined');
  }
}
