import test from 'ava';
import { BACKOFF_FACTOR, createWorkloop, type Workloop } from '../src/api/workloop.js';
import { ChannelLostError, LightningReplyError } from '../src/errors.js';
import type { ClaimedRun } from '@fleet/lightning-protocol';
import { FakeClock, settle } from './helpers/fake-clock.js';
import { silentLogger } from './helpers/logger.js';

const BACKOFF = { minMs: 100, maxMs: 1000 };

interface PendingClaim {
  resolve(runs: ClaimedRun[]): void;
  reject(error: Error): void;
}

/** A workloop on a fake clock whose claims and runs the test answers and finishes by hand. */
function harness(capacity: number) {
  const clock = new FakeClock();
  const claims: PendingClaim[] = [];
  const runs = new Map<string, () => void>();
  let claimCount = 0;
  let nextRun = 1;
  const workloop: Workloop = createWorkloop({
    capacity,
    backoff: BACKOFF,
    clock,
    logger: silentLogger(),
    claim: () => {
      claimCount += 1;
      return new Promise((resolve, reject) => claims.push({ resolve, reject }));
    },
    execute: (run) => new Promise<void>((resolve) => runs.set(run.id, () => (runs.delete(run.id), resolve()))),
  });

  /** Answers the oldest pending claim. */
  const answer = async (runCount = 0): Promise<void> => {
    const claim = claims.shift();
    if (!claim) throw new Error('no claim is pending');
    claim.resolve(Array.from({ length: runCount }, () => ({ id: `run-${nextRun++}`, token: 'jwt' })));
    await settle();
  };
  const answerAll = async (): Promise<void> => {
    while (claims.length > 0) await answer();
  };
  const finish = async (runId: string): Promise<void> => {
    runs.get(runId)?.();
    await settle();
  };
  const tick = async (ms: number): Promise<void> => {
    clock.tick(ms);
    await settle();
  };
  /** Every slot is doing at most one thing: waiting on a timer, claiming, or running. */
  const busy = (): number => clock.pending + claims.length + runs.size;

  return { clock, claims, runs, workloop, answer, answerAll, finish, tick, busy, claimed: () => claimCount };
}

test('resume makes one claim per free slot at once', async (t) => {
  const { workloop, claims, clock } = harness(3);
  workloop.resume();
  await settle();
  t.is(claims.length, 3);
  t.is(clock.pending, 0);
});

test('an empty claim waits the minimum backoff, then longer each time up to the maximum', async (t) => {
  const { workloop, answer, clock, tick } = harness(1);
  workloop.resume();
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    await answer();
    delays.push(clock.pendingDelays[0] ?? -1);
    await tick(delays[i]!);
  }
  const expected = delays.map((_, i) => Math.min(BACKOFF.maxMs, BACKOFF.minMs * BACKOFF_FACTOR ** i));
  t.deepEqual(delays, expected);
  t.is(delays.at(-1), BACKOFF.maxMs);
});

test('a failed or interrupted claim backs off like an empty one', async (t) => {
  const { workloop, claims, clock } = harness(2);
  workloop.resume();
  claims.shift()?.reject(new LightningReplyError('claim', { reason: 'nope' }));
  claims.shift()?.reject(new ChannelLostError('claim'));
  await settle();
  t.deepEqual(clock.pendingDelays, [BACKOFF.minMs, BACKOFF.minMs]);
});

test('loops never stack: resumes and wakes while every slot is busy add no claim or timer', async (t) => {
  const { workloop, claims, clock, answerAll, busy, tick } = harness(2);
  workloop.resume();
  workloop.resume();
  for (let i = 0; i < 5; i++) workloop.wake();
  await settle();
  t.is(claims.length, 2);
  t.is(clock.pending, 0);

  await answerAll();
  t.is(clock.pending, 2);
  for (let round = 0; round < 20; round++) {
    workloop.wake();
    workloop.resume();
    await tick(137);
    t.true(busy() <= 2, `round ${round}: ${clock.pending} timers + ${claims.length} claims`);
    await answerAll();
    t.true(busy() <= 2);
  }
  t.is(busy(), 2, 'each slot is still looping');
});

test('work-available wakes exactly one waiting slot, which claims at once', async (t) => {
  const { workloop, claims, clock, answerAll } = harness(3);
  workloop.resume();
  await answerAll();
  t.is(clock.pending, 3);
  workloop.wake();
  await settle();
  t.is(claims.length, 1, 'one claim, without any time passing');
  t.is(clock.pending, 2, "the woken slot's timer is gone");
});

test('a slot that got a run wakes another, and claims again as soon as its run is over', async (t) => {
  const { workloop, claims, runs, answer, answerAll, finish, claimed } = harness(2);
  workloop.resume();
  await answerAll();
  workloop.wake();
  await settle();
  const before = claimed();
  await answer(1);
  t.deepEqual([...runs.keys()], ['run-1']);
  t.is(claimed(), before + 1, 'the other slot claimed at once: more runs may be waiting');
  await answer();
  await finish('run-1');
  t.is(claims.length, 1, 'the freed slot claimed at once');
  t.is(claimed(), before + 2);
});

test('never more runs at once than slots', async (t) => {
  const { workloop, claims, runs, answer, finish } = harness(2);
  workloop.resume();
  await answer(1);
  await answer(1);
  await settle();
  t.is(runs.size, 2);
  t.is(claims.length, 0, 'no claim while every slot runs');
  workloop.wake();
  await settle();
  t.is(claims.length, 0);
  t.is(workloop.activeRuns, 2);
  await finish('run-1');
  t.is(claims.length, 1);
  t.is(workloop.activeRuns, 1);
});

test('pause stops claiming but not runs; resume claims at once from the minimum backoff', async (t) => {
  const { workloop, claims, runs, clock, answer, tick, finish } = harness(2);
  workloop.resume();
  await answer(1);
  await answer();
  await tick(BACKOFF.minMs);
  await answer();
  t.deepEqual(clock.pendingDelays, [BACKOFF.minMs * BACKOFF_FACTOR]);

  workloop.pause();
  t.is(clock.pending, 0);
  await finish('run-1');
  t.is(runs.size, 0);
  t.is(claims.length, 0, 'no claim while paused, not even after a run');

  workloop.resume();
  await settle();
  t.is(claims.length, 2);
  await answer();
  t.deepEqual(clock.pendingDelays, [BACKOFF.minMs]);
});

test('stop waits for claims in flight, runs what they brought, and claims no more', async (t) => {
  const { workloop, claims, runs, clock, answer, finish } = harness(2);
  workloop.resume();
  let stopped = false;
  const stopping = workloop.stop().then(() => (stopped = true));
  await settle();
  t.false(stopped);
  await answer(1);
  await answer();
  await stopping;
  t.deepEqual([...runs.keys()], ['run-1'], 'a run claimed before the stop still runs');
  t.is(clock.pending, 0);
  await finish('run-1');
  workloop.resume();
  await settle();
  t.is(claims.length, 0);
});
