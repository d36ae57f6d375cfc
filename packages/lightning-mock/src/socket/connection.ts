import type { WebSocket } from 'ws';
import { refuse, type Channel, type ChannelFactory, type ChannelSocket, type Reply } from '../channels/channel.js';
import type { MockEmitter } from '../events.js';
import type { Logger } from '@fleet/runtime';
import { decodeFrame, encodeBinaryReply, encodeFrame, encodeReply, type Frame } from './phoenix-frame.js';

const HEARTBEAT_TOPIC = 'phoenix';

interface Joined {
  joinRef: string | null;
  channel: Channel;
}

export interface ConnectionOptions {
  connectionId: number;
  workerId: string | null;
  channelFor: ChannelFactory;
  emitter: MockEmitter;
  logger: Logger;
}

/**
 * One worker socket: routes frames to the channels it joined and writes their
 * replies. Every push gets a reply, errors included, so a client never waits
 * out its timeout because the mock stayed silent.
 */
export class Connection {
  private readonly joined = new Map<string, Joined>();
  // Frames are handled one at a time, in arrival order: a run's events are
  // recorded in the order the worker sent them even when a handler awaits.
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    ws.on('message', (data, isBinary) => this.enqueue(() => this.receive(data.toString(), isBinary)));
  }

  /**
   * The socket closed: every channel on it is left, once the frames already
   * received are handled, so a join still in flight cannot outlive its socket.
   */
  closed(): Promise<void> {
    return this.enqueue(() => {
      for (const { channel } of this.joined.values()) channel.leave();
      this.joined.clear();
    });
  }

  private enqueue(task: () => Promise<void> | void): Promise<void> {
    this.pending = this.pending.then(task).catch((error: unknown) => {
      this.options.logger.error(`Connection ${this.options.connectionId}: ${(error as Error).stack ?? String(error)}`);
    });
    return this.pending;
  }

  private async receive(text: string, isBinary: boolean): Promise<void> {
    const { logger, connectionId } = this.options;
    if (isBinary) {
      logger.warn(`Connection ${connectionId}: ignored a binary frame; clients push text frames`);
      return;
    }
    let frame: Frame;
    try {
      frame = decodeFrame(text);
    } catch (error) {
      // Without a readable ref there is nothing to reply to.
      logger.warn(`Connection ${connectionId}: dropped a frame: ${(error as Error).message}`);
      return;
    }
    try {
      this.reply(frame, await this.dispatch(frame));
    } catch (error) {
      logger.error(`Connection ${connectionId}: ${frame.event} on ${frame.topic} failed: ${(error as Error).stack ?? String(error)}`);
      this.reply(frame, refuse(`internal error: ${(error as Error).message}`));
    }
  }

  private dispatch(frame: Frame): Promise<Reply> | Reply {
    const { topic, event, payload } = frame;
    if (topic === HEARTBEAT_TOPIC && event === 'heartbeat') return { status: 'ok', response: {} };
    if (event === 'phx_join') return this.join(frame);
    const joined = this.joined.get(topic);
    if (!joined) return refuse('unmatched topic');
    if (event === 'phx_leave') {
      this.joined.delete(topic);
      joined.channel.leave();
      return { status: 'ok', response: {} };
    }
    return joined.channel.handle(event, payload);
  }

  private async join({ topic, joinRef, payload }: Frame): Promise<Reply> {
    const socket: ChannelSocket = {
      connectionId: this.options.connectionId,
      workerId: this.options.workerId,
      push: (event, body) => this.send(encodeFrame({ joinRef: this.joined.get(topic)?.joinRef ?? null, ref: null, topic, event, payload: body })),
    };
    const channel = this.options.channelFor(topic, socket);
    if (!channel) return refuse('unmatched topic');
    const reply = await channel.join(payload);
    if (reply.status === 'ok') {
      // A second join of a topic replaces the first, as in Phoenix.
      this.joined.get(topic)?.channel.leave();
      this.joined.set(topic, { joinRef, channel });
      this.options.emitter.emit('join', { connectionId: this.options.connectionId, topic, payload });
    }
    return reply;
  }

  private reply(frame: Frame, reply: Reply): void {
    // A push without a ref asked for no reply.
    if (frame.ref === null) return;
    if ('bytes' in reply) {
      this.send(encodeBinaryReply({ joinRef: frame.joinRef, ref: frame.ref, topic: frame.topic, status: reply.status, payload: reply.bytes }));
    } else {
      this.send(encodeReply(frame, reply.status, reply.response));
    }
  }

  private send(data: string | Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(data);
  }
}
