import test from 'ava';
import { createOutbox } from '../src/channels/outbox.js';
import { LightningReplyError, LightningTimeoutError } from '../src/errors.js';
import type { RunLogPayload } from '@fleet/lightning-protocol';
import { settle } from './helpers/fake-clock.js';
import { FakeChannel } from './helpers/fake-channel.js';
import { memoryLogger } from './helpers/logger.js';

const log = (text: string): RunLogPayload => ({ run_id: 'r', message: [text], source: 'JOB', level: 'info', timestamp: '1' });
const complete = { reason: 'success', error_type: null, error_message: null } as const;

function outboxOf(maxQueuedLogs?: number) {
  const channel = new FakeChannel();
  const { logger, messages } = memoryLogger();
  const outbox = createOutbox(channel, { runId: 'r', timeoutMs: 1000, logger, ...(maxQueuedLogs ? { maxQueuedLogs } : {}) });
  const answerAll = async (): Promise<void> => {
    await settle();
    while (channel.requests.length > 0) {
      channel.next().resolve();
      await settle();
    }
  };
  return { channel, outbox, messages, answerAll };
}

test('events go one at a time, in order: the next only after the previous was answered', async (t) => {
  const { channel, outbox } = outboxOf();
  outbox.send('run:log', log('1'));
  outbox.send('run:log', log('2'));
  outbox.send('run:complete', complete);
  await settle();
  t.is(channel.requests.length, 1);
  for (const expected of ['1', '2']) {
    const request = channel.next();
    t.deepEqual((request.payload as RunLogPayload).message, [expected]);
    request.resolve();
    await settle();
  }
  t.is(channel.next().event, 'run:complete');
});

test('while disconnected events wait; after the rejoin they are all delivered, in order', async (t) => {
  const { channel, outbox, answerAll } = outboxOf();
  channel.drop();
  outbox.send('run:log', log('during the outage'));
  outbox.send('run:complete', complete);
  await settle();
  t.deepEqual(channel.pushed, []);
  let drained = false;
  void outbox.drained().then(() => (drained = true));
  channel.rejoin();
  await answerAll();
  t.deepEqual(channel.pushed, ['run:log', 'run:complete']);
  t.true(drained);
});

test('an event whose connection dropped before the reply is sent again after the rejoin', async (t) => {
  const { channel, outbox, answerAll } = outboxOf();
  outbox.send('step:complete', { job_id: 'a', step_id: 's', output_dataclip_id: 'o', ...complete });
  await settle();
  channel.drop();
  await settle();
  channel.rejoin();
  await answerAll();
  t.deepEqual(channel.pushed, ['step:complete', 'step:complete']);
  await outbox.drained();
});

test('a refused or unanswered event is logged and the next one goes', async (t) => {
  const { channel, outbox, messages } = outboxOf();
  outbox.send('run:log', log('refused'));
  outbox.send('run:log', log('timed out'));
  outbox.send('run:complete', complete);
  await settle();
  channel.next().reject(new LightningReplyError('run:log', { reason: 'invalid run:log payload' }));
  await settle();
  channel.next().reject(new LightningTimeoutError('run:log', 1000));
  await settle();
  channel.next().resolve();
  await outbox.drained();
  t.deepEqual(channel.pushed, ['run:log', 'run:log', 'run:complete']);
  t.true(messages.some((message) => message.includes('invalid run:log payload')));
  t.true(messages.some((message) => message.includes('no reply within 1s')));
});

test('log lines beyond the limit are dropped while Lightning lags, lifecycle events never are', async (t) => {
  const { channel, outbox, messages, answerAll } = outboxOf(2);
  channel.drop();
  for (let i = 1; i <= 5; i++) outbox.send('run:log', log(String(i)));
  outbox.send('run:complete', complete);
  channel.rejoin();
  await answerAll();
  await outbox.drained();
  t.deepEqual(channel.pushed, ['run:log', 'run:log', 'run:log', 'run:complete']);
  const note = channel.payloads('run:log')[2] as RunLogPayload;
  t.like(note, { source: 'R/T', level: 'warn' });
  t.regex(String(note.message[0]), /^3 log lines dropped: the run wrote them faster than Lightning took them/);
  t.true(messages.some((message) => message.includes('3 log lines dropped')));
});

test('with batching, queued lines go as one run:batch_logs of at most the limit, in order, before the next event', async (t) => {
  const channel = new FakeChannel();
  const outbox = createOutbox(channel, { runId: 'r', timeoutMs: 1000, logger: memoryLogger().logger, batch: { intervalMs: 5, limit: 3 } });
  for (let i = 1; i <= 4; i++) outbox.send('run:log', log(String(i)));
  outbox.send('run:complete', complete);
  await settle();
  while (channel.requests.length > 0 || channel.pushed.length < 3) {
    channel.next().resolve();
    await settle();
  }
  await outbox.drained();
  t.deepEqual(channel.pushed, ['run:batch_logs', 'run:batch_logs', 'run:complete']);
  const batches = channel.payloads('run:batch_logs') as Array<{ run_id: string; logs: RunLogPayload[] }>;
  t.deepEqual(batches.map((batch) => batch.logs.map((line) => line.message[0])), [['1', '2', '3'], ['4']]);
  t.true(batches.every((batch) => batch.run_id === 'r' && batch.logs.every((line) => !('run_id' in line))));
});

test('a lone line waits at most the batch interval for company', async (t) => {
  const channel = new FakeChannel();
  const outbox = createOutbox(channel, { runId: 'r', timeoutMs: 1000, logger: memoryLogger().logger, batch: { intervalMs: 500, limit: 50 } });
  outbox.send('run:log', log('alone'));
  await settle();
  t.deepEqual(channel.pushed, []);
  const deadline = Date.now() + 5000;
  while (channel.pushed.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  t.deepEqual(channel.pushed, ['run:batch_logs']);
  channel.next().resolve();
  await outbox.drained();
});

test("an event over Lightning's frame limit never leaves; a log line is replaced by a note", async (t) => {
  const { channel, outbox, messages, answerAll } = outboxOf();
  outbox.send('run:log', log('"'.repeat(6_000_000)));
  outbox.send('run:complete', { ...complete, final_state: { data: '"'.repeat(6_000_000) } });
  await answerAll();
  await outbox.drained();
  t.deepEqual(channel.pushed, ['run:log']);
  t.regex(String((channel.payloads('run:log')[0] as RunLogPayload).message[0]), /^\(Log message run:log of 11\.4 MB not sent: over Lightning's frame limit of 11000000 bytes\)$/);
  t.true(messages.some((message) => message.includes('run:complete of 11.4 MB not sent')));
});

test('abandon drops what is queued, settles drained() and ignores later events', async (t) => {
  const { channel, outbox, messages } = outboxOf();
  channel.drop();
  outbox.send('run:log', log('never'));
  outbox.send('run:complete', complete);
  outbox.abandon('Lightning is gone');
  await outbox.drained();
  outbox.send('run:log', log('later'));
  channel.rejoin();
  await settle();
  t.deepEqual(channel.pushed, []);
  t.true(messages.some((message) => message.includes('2 events were never delivered to Lightning: Lightning is gone')));
});
