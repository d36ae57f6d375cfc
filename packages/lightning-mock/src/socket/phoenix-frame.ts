/**
 * Phoenix channel framing, serializer vsn 2.0.0: text frames are JSON arrays
 * `[join_ref, ref, topic, event, payload]`; replies may also be binary frames.
 */

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

export type ReplyStatus = 'ok' | 'error';

export interface BinaryReply {
  joinRef: string | null;
  ref: string;
  topic: string;
  status: ReplyStatus;
  payload: Uint8Array;
}

export class FrameError extends Error {
  override name = 'FrameError';
}

const REPLY_KIND = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const isRef = (value: unknown): value is string | null => value === null || typeof value === 'string';

export function decodeFrame(text: string): Frame {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new FrameError('frame is not JSON');
  }
  if (!Array.isArray(message) || message.length !== 5) {
    throw new FrameError('frame is not a five-element array (is the client using vsn=2.0.0?)');
  }
  const [joinRef, ref, topic, event, payload] = message as unknown[];
  if (!isRef(joinRef) || !isRef(ref) || typeof topic !== 'string' || typeof event !== 'string') {
    throw new FrameError('frame needs string-or-null refs and a string topic and event');
  }
  return { joinRef, ref, topic, event, payload };
}

export const encodeFrame = ({ joinRef, ref, topic, event, payload }: Frame): string =>
  JSON.stringify([joinRef, ref, topic, event, payload]);

/** Reply frame: the client matches it to its push by `ref`. */
export const encodeReply = (
  request: Pick<Frame, 'joinRef' | 'ref' | 'topic'>,
  status: ReplyStatus,
  response: unknown,
): string => encodeFrame({ ...request, event: 'phx_reply', payload: { status, response } });

/**
 * Binary reply, as Lightning sends dataclips: a kind byte, four one-byte
 * lengths (join_ref, ref, topic, status), those strings, then the raw payload.
 */
export function encodeBinaryReply({ joinRef, ref, topic, status, payload }: BinaryReply): Uint8Array {
  const parts = [joinRef ?? '', ref, topic, status].map((part) => encoder.encode(part));
  const tooLong = parts.find((part) => part.length > 255);
  if (tooLong) throw new FrameError(`binary reply header field too long (${tooLong.length} bytes, max 255)`);
  const frame = new Uint8Array(5 + parts.reduce((sum, part) => sum + part.length, 0) + payload.length);
  frame.set([REPLY_KIND, ...parts.map((part) => part.length)]);
  let offset = 5;
  for (const chunk of [...parts, payload]) {
    frame.set(chunk, offset);
    offset += chunk.length;
  }
  return frame;
}

export function decodeBinaryReply(bytes: Uint8Array): BinaryReply {
  if (bytes.length < 5 || bytes[0] !== REPLY_KIND) throw new FrameError('not a Phoenix binary reply');
  let offset = 5;
  const [joinRef, ref, topic, status] = [...bytes.subarray(1, 5)].map((length) => {
    const part = decoder.decode(bytes.subarray(offset, offset + length));
    offset += length;
    return part;
  }) as [string, string, string, string];
  if (offset > bytes.length) throw new FrameError('binary reply shorter than its header says');
  if (status !== 'ok' && status !== 'error') throw new FrameError(`binary reply with unknown status ${status}`);
  return { joinRef: joinRef || null, ref, topic, status, payload: bytes.subarray(offset) };
}
