import test from 'ava';
import { fixtures } from '@fleet/local-registry';
import { final, planOf, runPlan, type RunEvent } from './helpers/run-plan.js';
import { sharedEngine } from './helpers/shared-engine.js';

// What a run reports is fitted to its limits in its own process: real run
// processes, a real adaptor from the local registry.
const JOBS = fixtures.languageJobs;

const engine = sharedEngine({ runTimeoutMs: 30_000 });

const logs = (events: RunEvent[]) => events.filter((event) => event.name === 'workflow-log').map((event) => event.payload as { source: string; level: string; message: unknown[] });
const jobLines = (events: RunEvent[]) => logs(events).filter((line) => line.source === 'JOB').map((line) => line.message);

test('an output over the payload limit is withheld from its event, and the next step still gets it', async (t) => {
  const plan = planOf(JOBS, [
    { id: 'big', expression: 'fn(s => ({ data: { blob: "x".repeat(2 * 1024 * 1024) } }));', next: { measure: true } },
    { id: 'measure', expression: 'fn(s => ({ data: { length: s.data.blob.length } }));' },
  ]);
  const events = await runPlan(engine(), plan, {}, { payloadLimitMb: 1 });
  const [big, measure] = events.filter((event) => event.name === 'job-complete').map((event) => event.payload);
  t.is(big?.state, undefined);
  t.true((big?.withheld as number) > 2 * 1024 * 1024);
  t.deepEqual(measure?.state, { data: { length: 2 * 1024 * 1024 } });
  t.is(measure?.withheld, undefined);
  t.like(final(events), { name: 'workflow-complete', payload: { state: { data: { length: 2 * 1024 * 1024 } } } });
});

test('a final state over the payload limit is withheld as well', async (t) => {
  const plan = planOf(JOBS, [{ id: 'big', expression: 'fn(s => ({ data: "y".repeat(300 * 1024) }));' }]);
  const done = final(await runPlan(engine(), plan, {}, { payloadLimitMb: 0.25 }));
  t.is(done?.name, 'workflow-complete');
  t.is(done?.payload.state, undefined);
  t.true((done?.payload.withheld as number) > 300 * 1024);
});

test('a log line over the log payload limit is replaced by a note that says so', async (t) => {
  const plan = planOf(JOBS, [{ id: 'chatty', expression: 'fn(s => { console.log("z".repeat(2 * 1024 * 1024)); console.log("small"); return s; });' }]);
  const lines = jobLines(await runPlan(engine(), plan, {}, { logPayloadLimitMb: 1 }));
  t.deepEqual(lines, [['(Log message redacted: it was 2 MB, over the log payload limit of 1 MB)'], ['small']]);
});

test('job log level none sends no line of job code, and the runtime still reports', async (t) => {
  const plan = planOf(JOBS, [{ id: 'quiet', expression: 'fn(s => { console.log("secret data"); console.error("also"); return s; });' }]);
  const events = await runPlan(engine(), plan, {}, { jobLogLevel: 'none' });
  t.deepEqual(jobLines(events), []);
  t.is(final(events)?.name, 'workflow-complete');
});

test('job log level warn keeps warnings and errors only', async (t) => {
  const plan = planOf(JOBS, [{ id: 'levels', expression: 'fn(s => { console.debug("d"); console.log("l"); console.warn("w"); console.error("e"); return s; });' }]);
  t.deepEqual(jobLines(await runPlan(engine(), plan, {}, { jobLogLevel: 'warn' })), [['w'], ['e']]);
});

test('sanitize policies change objects and arrays in job lines, and nothing else', async (t) => {
  const plan = planOf(JOBS, [{ id: 'objects', expression: 'fn(s => { console.log("user", { name: "n", id: 1 }, [1, 2]); return s; });' }]);
  const lines = async (sanitize: 'remove' | 'summarize' | 'obfuscate') => jobLines(await runPlan(engine(), { ...plan, id: `${plan.id}-${sanitize}` }, {}, { sanitize }));
  t.deepEqual(await lines('summarize'), [['user', '(object with keys id, name)', '(array with 2 items)']]);
  t.deepEqual(await lines('obfuscate'), [['user', '[object]', '[array]']]);
  t.deepEqual(await lines('remove'), [['user']]);
});

test('a bad limit is refused when the run is started', (t) => {
  const plan = planOf(JOBS, [{ id: 'a', expression: 'fn(s => s);' }]);
  t.throws(() => engine().execute(plan, {}, { payloadLimitMb: -1 }), { instanceOf: RangeError, message: /payloadLimitMb must be a number of MB/ });
  t.throws(() => engine().execute(plan, {}, { jobLogLevel: 'loud' as never }), { instanceOf: RangeError, message: /jobLogLevel takes/ });
  t.throws(() => engine().execute(plan, {}, { runTimeoutMs: 3_000_000_000 }), { instanceOf: RangeError, message: /runTimeoutMs must be a whole number from 1 to 2147483647/ });
});

test('log lines past the window wait in the run process, in order with the events after them, until granted', async (t) => {
  const plan = planOf(JOBS, [{ id: 'five', expression: 'fn(s => { for (const line of ["a", "b", "c", "d", "e"]) console.log(line); return s; });' }]);
  const seen: string[] = [];
  engine().listen(plan.id, {
    'job-start': () => void seen.push('job-start'),
    'workflow-log': (event) => void (event.source === 'JOB' && seen.push(String(event.message[0]))),
    'job-complete': () => void seen.push('job-complete'),
  });
  // Three lines: the runtime's "Starting step five", then a and b.
  const done = runPlan(engine(), plan, {}, { logWindow: 3 });
  while (seen.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
  t.deepEqual(seen, ['job-start', 'a', 'b'], "the window is used up: nothing after b comes, the step's end included");
  engine().grantLogLines(plan.id, 10);
  t.is(final(await done)?.name, 'workflow-complete');
  t.deepEqual(seen, ['job-start', 'a', 'b', 'c', 'd', 'e', 'job-complete']);
});

test('a run past its window keeps at most 200,000 lines, then drops lines and says exactly how many', async (t) => {
  const plan = planOf(JOBS, [{ id: 'flood', expression: 'fn(s => { console.log("go"); for (let i = 0; i < 250000; i++) console.log(i); return s; });' }]);
  // The window lets "Starting step flood" and "go" through. The grant answers "go", which is
  // written in the same synchronous loop as the flood: the process reads it only after the loop.
  engine().listen(plan.id, { 'workflow-log': (event) => void (event.message[0] === 'go' && engine().grantLogLines(plan.id, 1_000_000)) });
  const events = await runPlan(engine(), plan, {}, { logWindow: 2 });
  const lines = logs(events);
  const jobLines = lines.filter((line) => line.source === 'JOB');
  t.is(jobLines.length, 1 + 200_000);
  t.deepEqual(jobLines.at(-1)?.message, [199_999]);
  const notes = lines.filter((line) => line.source === 'R/T' && /dropped/.test(String(line.message[0])));
  t.is(notes.length, 1);
  t.regex(String(notes[0]?.message[0]), /^50000 log lines dropped: the run wrote them faster than Lightning took them/);
  t.is(final(events)?.name, 'workflow-complete');
});
