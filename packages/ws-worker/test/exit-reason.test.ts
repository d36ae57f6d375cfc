import test from 'ava';
import { runExitReason, stepExitReason, SUCCESS, workflowErrorReason } from '../src/events/exit-reason.js';

test('a step with no error is a success', (t) => {
  t.deepEqual(stepExitReason('a', { data: {}, errors: { upstream: { name: 'JobError', message: 'x' } } }), SUCCESS);
});

test("a step whose error is recorded on its output state failed, by the error's name", (t) => {
  const state = { errors: { a: { name: 'AdaptorError', message: 'HTTP 500', severity: 'fail' } } };
  t.deepEqual(stepExitReason('a', state), { reason: 'fail', error_type: 'AdaptorError', error_message: 'HTTP 500' });
  const error = { name: 'AdaptorError', message: 'HTTP 500', severity: 'fail' };
  t.deepEqual(stepExitReason('a', undefined, error), { reason: 'fail', error_type: 'AdaptorError', error_message: 'HTTP 500' });
});

test('a crash or kill takes its severity as reason and the underlying error type', (t) => {
  const crash = { name: 'RuntimeCrash', subtype: 'ReferenceError', message: 'x is not defined', severity: 'crash' };
  t.deepEqual(stepExitReason('a', {}, crash), { reason: 'crash', error_type: 'ReferenceError', error_message: 'x is not defined' });
  const kill = { name: 'SecurityError', message: 'no eval', severity: 'kill' };
  t.deepEqual(stepExitReason('a', {}, kill), { reason: 'kill', error_type: 'SecurityError', error_message: 'no eval' });
  t.is(stepExitReason('a', {}, { name: 'Odd', message: 'm', severity: 'weird' }).reason, 'crash');
});

test('a workflow error: its severity, type and message', (t) => {
  t.deepEqual(workflowErrorReason({ type: 'TimeoutError', message: 'too slow', severity: 'kill' }), {
    reason: 'kill',
    error_type: 'TimeoutError',
    error_message: 'too slow',
  });
  t.deepEqual(workflowErrorReason({ type: 'AutoinstallError', message: 'no such adaptor', severity: 'exception' }).reason, 'exception');
});

test('a run fails when a leaf failed, not when a handled step did', (t) => {
  const fail = { reason: 'fail', error_type: 'JobError', error_message: 'nope' } as const;
  t.deepEqual(runExitReason([SUCCESS, fail]), fail);
  t.deepEqual(runExitReason([SUCCESS]), SUCCESS);
  t.deepEqual(runExitReason([]), SUCCESS);
});
