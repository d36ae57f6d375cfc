import test from 'ava';
import { decodeBinaryReply, decodeFrame, encodeBinaryReply, encodeFrame, encodeReply, FrameError } from '../src/socket/phoenix-frame.js';

test('a text frame round-trips as a five-element array', (t) => {
  const frame = { joinRef: '1', ref: '2', topic: 'worker:queue', event: 'claim', payload: { demand: 1 } };
  const text = encodeFrame(frame);
  t.deepEqual(JSON.parse(text), ['1', '2', 'worker:queue', 'claim', { demand: 1 }]);
  t.deepEqual(decodeFrame(text), frame);
});

test('a reply is a phx_reply with status and response, echoing the refs', (t) => {
  const text = encodeReply({ joinRef: '3', ref: '7', topic: 'run:r1' }, 'error', { reason: 'not_found' });
  t.deepEqual(JSON.parse(text), ['3', '7', 'run:r1', 'phx_reply', { status: 'error', response: { reason: 'not_found' } }]);
});

for (const [name, text] of [
  ['not JSON', '{oops'],
  ['an object (vsn 1.0.0 framing)', JSON.stringify({ topic: 't', event: 'e', payload: {}, ref: '1' })],
  ['a four-element array', JSON.stringify(['1', '1', 't', 'e'])],
  ['a numeric ref', JSON.stringify(['1', 1, 't', 'e', {}])],
  ['a missing topic', JSON.stringify(['1', '1', null, 'e', {}])],
] as const) {
  test(`decoding ${name} throws a FrameError`, (t) => {
    t.throws(() => decodeFrame(text), { instanceOf: FrameError });
  });
}

test('a binary reply round-trips header and payload bytes', (t) => {
  const payload = new TextEncoder().encode('{"data":{"x":1}}');
  const bytes = encodeBinaryReply({ joinRef: '12', ref: '345', topic: 'run:abc', status: 'ok', payload });
  t.deepEqual([...bytes.subarray(0, 5)], [1, 2, 3, 7, 2], 'kind 1 (reply), then the four lengths');
  const decoded = decodeBinaryReply(bytes);
  t.like(decoded, { joinRef: '12', ref: '345', topic: 'run:abc', status: 'ok' });
  t.is(new TextDecoder().decode(decoded.payload), '{"data":{"x":1}}');
});

test('a binary reply header field over 255 bytes is refused', (t) => {
  t.throws(() => encodeBinaryReply({ joinRef: null, ref: '1', topic: `run:${'x'.repeat(300)}`, status: 'ok', payload: new Uint8Array() }), {
    instanceOf: FrameError,
  });
});

test('a truncated binary reply is refused', (t) => {
  const bytes = encodeBinaryReply({ joinRef: '1', ref: '2', topic: 'run:abc', status: 'ok', payload: new Uint8Array() });
  t.throws(() => decodeBinaryReply(bytes.subarray(0, 8)), { instanceOf: FrameError });
});
