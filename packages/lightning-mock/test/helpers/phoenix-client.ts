import WebSocket from 'ws';
import { decodeBinaryReply, decodeFrame, encodeFrame } from '../../src/socket/phoenix-frame.js';

/**
 * A minimal Phoenix channels client (serializer vsn 2.0.0) over `ws`, for
 * tests that need to talk to a Lightning-protocol server frame by frame.
 * Unlike the `phoenix` package it never retries or rejoins on its own, so a
 * test sees exactly what the server did.
 */

export interface Reply {
  status: 'ok' | 'error';
  /** The reply body; a Uint8Array when the server sent a binary reply. */
  response: unknown;
}

export interface ServerPush {
  joinRef: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

export class ConnectionRefusedError extends Error {
  override name = 'ConnectionRefusedError';
  constructor(readonly status: number) {
    super(`The server refused the websocket with HTTP ${status}`);
  }
}

export interface ConnectOptions {
  /** Socket params, such as `token`; sent as query params like the Phoenix client does. */
  params?: Record<string, string>;
  /** Default reply and wait timeout. */
  timeoutMs?: number;
}

interface PushWaiter {
  matches(push: ServerPush): boolean;
  resolve(push: ServerPush): void;
}

export class PhoenixTestClient {
  private nextRef = 1;
  private readonly joinRefs = new Map<string, string>();
  private readonly pendingReplies = new Map<string, (reply: Reply) => void>();
  private readonly inbox: ServerPush[] = [];
  private readonly pushWaiters = new Set<PushWaiter>();
  /** Resolves with the close code once the socket has closed. */
  readonly closed: Promise<number>;

  private constructor(
    private readonly ws: WebSocket,
    private readonly timeoutMs: number,
  ) {
    this.closed = new Promise((resolve) => ws.once('close', resolve));
    ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
  }

  /** `endpoint` is what a worker is configured with, e.g. ws://127.0.0.1:8888/worker. */
  static connect(endpoint: string, { params = {}, timeoutMs = 5000 }: ConnectOptions = {}): Promise<PhoenixTestClient> {
    const url = new URL(`${endpoint.replace(/\/$/, '')}/websocket`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    url.searchParams.set('vsn', '2.0.0');
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new PhoenixTestClient(ws, timeoutMs)));
      ws.once('unexpected-response', (_request, response) => {
        reject(new ConnectionRefusedError(response.statusCode ?? 0));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  join(topic: string, payload: unknown = {}): Promise<Reply> {
    const ref = this.ref();
    this.joinRefs.set(topic, ref);
    return this.send({ joinRef: ref, ref, topic, event: 'phx_join', payload });
  }

  push(topic: string, event: string, payload: unknown = {}): Promise<Reply> {
    return this.send({ joinRef: this.joinRefs.get(topic) ?? null, ref: this.ref(), topic, event, payload });
  }

  leave(topic: string): Promise<Reply> {
    return this.push(topic, 'phx_leave');
  }

  heartbeat(): Promise<Reply> {
    return this.send({ joinRef: null, ref: this.ref(), topic: 'phoenix', event: 'heartbeat', payload: {} });
  }

  /** Sends text as it is, for tests of malformed frames. */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /**
   * The first server push (not a reply) on `topic` named `event`, including
   * one that arrived before this call and was not taken yet.
   */
  nextPush(topic: string, event: string, timeoutMs = this.timeoutMs): Promise<ServerPush> {
    const matches = (push: ServerPush): boolean => push.topic === topic && push.event === event;
    const index = this.inbox.findIndex(matches);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: PushWaiter = {
        matches,
        resolve: (push) => {
          clearTimeout(timer);
          resolve(push);
        },
      };
      const timer = setTimeout(() => {
        this.pushWaiters.delete(waiter);
        reject(new Error(`No ${event} push on ${topic} within ${timeoutMs}ms`));
      }, timeoutMs);
      this.pushWaiters.add(waiter);
    });
  }

  /** Server pushes received and not yet taken by nextPush. */
  pushes(): ServerPush[] {
    return [...this.inbox];
  }

  /** A clean close (code 1000), as a worker shutting down sends. */
  async close(): Promise<void> {
    this.ws.close(1000);
    await this.closed;
  }

  /** Drops the connection without a closing handshake, as a killed worker does. */
  async terminate(): Promise<void> {
    this.ws.terminate();
    await this.closed;
  }

  private ref(): string {
    return String(this.nextRef++);
  }

  private send(frame: { joinRef: string | null; ref: string; topic: string; event: string; payload: unknown }): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingReplies.delete(frame.ref);
        reject(new Error(`No reply to ${frame.event} on ${frame.topic} within ${this.timeoutMs}ms`));
      }, this.timeoutMs);
      this.pendingReplies.set(frame.ref, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.ws.send(encodeFrame(frame));
    });
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const { ref, status, payload } = decodeBinaryReply(new Uint8Array(data));
      this.settle(ref, { status, response: payload });
      return;
    }
    const frame = decodeFrame(data.toString('utf8'));
    // Real Phoenix servers reply with phx_reply; some mocks use chan_reply_<ref>. Treat both alike.
    if (frame.ref !== null && (frame.event === 'phx_reply' || frame.event === `chan_reply_${frame.ref}`)) {
      this.settle(frame.ref, frame.payload as Reply);
      return;
    }
    const push: ServerPush = { joinRef: frame.joinRef, topic: frame.topic, event: frame.event, payload: frame.payload };
    const waiter = [...this.pushWaiters].find((candidate) => candidate.matches(push));
    if (!waiter) {
      this.inbox.push(push);
      return;
    }
    this.pushWaiters.delete(waiter);
    waiter.resolve(push);
  }

  private settle(ref: string, reply: Reply): void {
    const resolve = this.pendingReplies.get(ref);
    this.pendingReplies.delete(ref);
    resolve?.(reply);
  }
}

/** JSON from a dataclip reply: binary (real Lightning) or an array of byte values (older mocks). */
export function jsonFromBytes(response: unknown): unknown {
  const bytes = response instanceof Uint8Array ? response : Uint8Array.from(response as number[]);
  return JSON.parse(new TextDecoder().decode(bytes));
}
