import test from 'ava';
import { validateEvent, type EventContext, type RunEvent } from '../src/validate-event.js';
import { describeProblem } from '@fleet/lightning-protocol';
import { micros, runComplete, runLog, runStart, stepComplete, stepStart } from './helpers/run-events.js';

const context = (overrides: Partial<EventContext> = {}): EventContext => ({
  runId: 'r1',
  jobIds: new Set(['a', 'b']),
  steps: new Map([['s1', 'a']]),
  outputDataclipIds: new Set(['out-1']),
  ...overrides,
});

const problems = (event: RunEvent, payload: unknown, ctx = context()): string[] => validateEvent(event, payload, ctx).map(describeProblem);

const valid: Array<[string, RunEvent, unknown]> = [
  ['fetch:plan', 'fetch:plan', {}],
  ['fetch:credential', 'fetch:credential', { id: 'c1' }],
  ['fetch:dataclip', 'fetch:dataclip', { id: 'd1' }],
  ['run:start', 'run:start', runStart()],
  ['step:start with an input dataclip', 'step:start', stepStart('b', 's2', { input_dataclip_id: 'd1' })],
  ['run:log with a step id', 'run:log', runLog('r1', ['hello', { a: 1 }], { step_id: 's1' })],
  ['run:batch_logs', 'run:batch_logs', { run_id: 'r1', logs: [{ message: ['x'], source: 'R/T', level: 'debug', timestamp: micros() }] }],
  ['step:complete', 'step:complete', stepComplete('a', 's1', { data: {} })],
  [
    'step:complete with its output withheld as too large',
    'step:complete',
    stepComplete('a', 's1', {}, { output_dataclip_id: undefined, output_dataclip: undefined, output_dataclip_error: 'DATACLIP_TOO_LARGE' }),
  ],
  [
    'step:complete synthesized for a crash (no timestamp, mem or duration)',
    'step:complete',
    { job_id: 'a', step_id: 's1', output_dataclip_id: 'x', output_dataclip: '{}', reason: 'crash', error_type: 'ReferenceError', error_message: 'x is not defined' },
  ],
  ['run:complete with a final dataclip', 'run:complete', runComplete({ final_dataclip_id: 'out-1', final_state: { data: 1 } })],
  [
    'run:complete after a workflow error (exit fields only)',
    'run:complete',
    { reason: 'exception', error_type: 'CredentialLoadError', error_message: 'Failed to load credential c1' },
  ],
];

for (const [name, event, payload] of valid) {
  test(`a valid ${name} payload passes`, (t) => {
    t.deepEqual(problems(event, JSON.parse(JSON.stringify(payload))), []);
  });
}

const invalid: Array<[string, RunEvent, unknown, string[]]> = [
  ['a payload that is not an object', 'run:start', 'hi', ['payload must be an object']],
  ['fetch:credential without id', 'fetch:credential', {}, ['id is required']],
  ['run:start with a timestamp in ms as a number', 'run:start', { ...runStart(), timestamp: Date.now() }, ['timestamp must be a string of integer microseconds']],
  ['run:start with a numeric version', 'run:start', { ...runStart(), versions: { node: 20 } }, ['versions.node must be a string or an array of strings']],
  ['step:start for a job not in the plan', 'step:start', stepStart('zzz', 's9'), ['job_id zzz is not a job of this run\'s plan']],
  ['step:start reusing a step id', 'step:start', stepStart('a', 's1'), ['step_id s1 was already started']],
  ['step:start with a misspelt field', 'step:start', stepStart('a', 's2', { input_dataclipId: 'd' }), ['input_dataclipId is not an allowed field']],
  ['run:log with a string message', 'run:log', runLog('r1', ['x'], { message: 'x' }), ['message must be an array']],
  ['run:log with an unknown level', 'run:log', runLog('r1', ['x'], { level: 'loud' }), ['level must be one of debug, info, warn, error, success, always']],
  ['run:log for another run', 'run:log', runLog('r2', ['x']), ["run_id r2 does not match this channel's run r1"]],
  ['run:batch_logs with a bad line', 'run:batch_logs', { run_id: 'r1', logs: [runLog('r1', ['ok']), { message: ['x'] }] }, [
    'logs[1].source is required',
    'logs[1].level is required',
    'logs[1].timestamp is required',
  ]],
  ['step:complete without an output id', 'step:complete', stepComplete('a', 's1', {}, { output_dataclip_id: undefined }), [
    'output_dataclip_id is required unless output_dataclip_error is set',
  ]],
  ['step:complete with a numeric output id', 'step:complete', stepComplete('a', 's1', {}, { output_dataclip_id: 42 }), ['output_dataclip_id must be a non-empty string']],
  ['step:complete with output that is not JSON', 'step:complete', stepComplete('a', 's1', {}, { output_dataclip: '{nope' }), ['output_dataclip must be a string of valid JSON']],
  ['step:complete without error fields', 'step:complete', stepComplete('a', 's1', {}, { error_type: undefined }), ['error_type is required']],
  ['step:complete for a step never started', 'step:complete', stepComplete('a', 's9', {}), ['step_id s9 has no step:start']],
  ['step:complete naming another job than its start', 'step:complete', stepComplete('b', 's1', {}), ['job_id b differs from a, the job its step:start named']],
  ['step:complete with mem lacking system', 'step:complete', stepComplete('a', 's1', {}, { mem: { job: 1 } }), ['mem.system is required']],
  ['run:complete with reason cancel', 'run:complete', runComplete({ reason: 'cancel' }), ['reason must be one of success, fail, crash, kill, exception']],
  ['run:complete success with an error', 'run:complete', runComplete({ error_type: 'Oops', error_message: 'bad' }), [
    'error_type must be null when reason is success',
    'error_message must be null when reason is success',
  ]],
  ['run:complete with an unknown key', 'run:complete', runComplete({ state: {} }), ['state is not an allowed field']],
  ['run:complete with a final dataclip no step produced', 'run:complete', runComplete({ final_dataclip_id: 'elsewhere' }), [
    'final_dataclip_id elsewhere is not the output_dataclip_id of any step:complete of this run',
  ]],
];

for (const [name, event, payload, expected] of invalid) {
  test(`${name} is rejected naming the field`, (t) => {
    t.deepEqual(problems(event, JSON.parse(JSON.stringify(payload))), expected);
  });
}
