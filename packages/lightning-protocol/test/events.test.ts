import { randomUUID } from 'node:crypto';
import test from 'ava';
import { check, describeProblem, frameBytes, RUN_EVENT_SCHEMAS, type RunChannelEvent } from '../src/index.js';

const micros = (): string => String(Date.now() * 1000);

const problemsOf = (event: RunChannelEvent, payload: unknown): string[] => {
  const checked = check(RUN_EVENT_SCHEMAS[event], payload);
  return checked.ok ? [] : checked.problems.map(describeProblem);
};

const line = (extra: Record<string, unknown> = {}) => ({ run_id: 'r1', message: ['hi'], source: 'JOB', level: 'info', timestamp: micros(), ...extra });

const withheld = { job_id: 'a', step_id: 's1', reason: 'success', error_type: null, error_message: null, output_dataclip_error: 'DATACLIP_TOO_LARGE' };

test('a log line may carry the id the worker chose for it', (t) => {
  t.deepEqual(problemsOf('run:log', line({ id: randomUUID() })), []);
});

test('a log line id must be a UUID, as Lightning stores it', (t) => {
  t.deepEqual(problemsOf('run:log', line({ id: 'line-1' })), ['id must be a UUID']);
});

test('a log source longer than Lightning stores is refused', (t) => {
  t.deepEqual(problemsOf('run:log', line({ source: 'RUNTIME-X' })), ['source must be at most 8 characters']);
});

test('a batch of logs holds at least one line', (t) => {
  t.deepEqual(problemsOf('run:batch_logs', { run_id: 'r1', logs: [] }), ['logs must hold at least one line']);
});

test('a withheld output carries neither an id nor a body', (t) => {
  t.deepEqual(problemsOf('step:complete', withheld), []);
  t.deepEqual(problemsOf('step:complete', { ...withheld, output_dataclip: '{}' }), [
    'output_dataclip_error means the output was withheld: no output_dataclip_id or output_dataclip with it',
  ]);
});

test('frameBytes is never less than the Phoenix frame it stands for', (t) => {
  const payload = JSON.stringify({ message: ['ü', '"quoted"'] });
  const frame = JSON.stringify(['12345678901234567890', '12345678901234567890', 'run:r1', 'run:log', JSON.parse(payload)]);
  t.true(frameBytes('run:r1', 'run:log', payload) >= Buffer.byteLength(frame));
  t.true(frameBytes('run:r1', 'run:log', payload) - Buffer.byteLength(frame) < 100);
});
