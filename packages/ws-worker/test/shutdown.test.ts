import test from 'ava';
import type { RunHandle } from '../src/api/execute-run.js';
import { shutdown } from '../src/api/shutdown.js';
import { ShutdownError } from '../src/errors.js';
import { silentLogger } from './helpers/logger.js';

/** A run the test ends by hand; it records what the shutdown did to it. */
function fakeRun(id: string, steps: string[], { reportsWhenKilled = true } = {}) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const run: RunHandle & { finish(): void; killedWith?: Error } = {
    id,
    done,
    finish,
    kill(error) {
      run.killedWith = error;
      steps.push(`kill ${id}`);
      if (reportsWhenKilled) finish();
    },
    abandon() {
      steps.push(`abandon ${id}`);
      finish();
    },
  };
  return run;
}

function partsOf(runs: RunHandle[], steps: string[]) {
  const step = (name: string) => async () => void steps.push(name);
  return {
    workloop: { stop: step('stop claiming') },
    runs: () => runs,
    engine: { destroy: step('destroy engine') },
    queue: { leave: step('leave queue') },
    lightning: { close: step('close socket') },
    http: { close: step('close http') },
  };
}

const options = { timeoutMs: 100, flushTimeoutMs: 100, logger: silentLogger() };

test('runs that finish in time are left alone; then everything closes, in order', async (t) => {
  const steps: string[] = [];
  const run = fakeRun('r1', steps);
  const stopping = shutdown(partsOf([run], steps), { ...options, timeoutMs: 60_000 });
  run.finish();
  await stopping;
  t.deepEqual(steps, ['stop claiming', 'destroy engine', 'leave queue', 'close socket', 'close http']);
});

test('a run still going at the timeout is killed (reported as kill) before the engine is destroyed', async (t) => {
  const steps: string[] = [];
  const slow = fakeRun('slow', steps);
  const quick = fakeRun('quick', steps);
  quick.finish();
  await shutdown(partsOf([slow, quick], steps), options);
  t.deepEqual(steps, ['stop claiming', 'kill slow', 'destroy engine', 'leave queue', 'close socket', 'close http']);
  t.true(slow.killedWith instanceof ShutdownError);
  t.is(quick.killedWith, undefined);
});

test("a killed run whose report cannot reach Lightning is given up after the flush timeout", async (t) => {
  const steps: string[] = [];
  const stuck = fakeRun('stuck', steps, { reportsWhenKilled: false });
  await shutdown(partsOf([stuck], steps), options);
  t.deepEqual(steps, ['stop claiming', 'kill stuck', 'destroy engine', 'abandon stuck', 'leave queue', 'close socket', 'close http']);
});
