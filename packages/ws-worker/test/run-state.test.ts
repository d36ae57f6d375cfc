import test from 'ava';
import type { ExecutionPlan } from '@fleet/engine-multi';
import { SUCCESS } from '../src/events/exit-reason.js';
import { RunState } from '../src/events/run-state.js';

const FAIL = { reason: 'fail', error_type: 'JobError', error_message: 'nope' } as const;

const job = (id: string, next?: Record<string, true>) => ({ id, expression: 'fn(s => s)', ...(next ? { next } : {}) });

const planOf = (steps: ExecutionPlan['workflow']['steps'], start?: string): ExecutionPlan => ({
  id: 'run',
  ...(start ? { options: { start } } : {}),
  workflow: { steps },
});

test('a trigger start hands the input dataclip to every step it leads to', (t) => {
  const state = new RunState(planOf([{ id: 't', next: { a: true, b: true } }, job('a'), job('b')], 't'), 'd1');
  t.is(state.startStep('a').inputDataclipId, 'd1');
  state.completeStep([], SUCCESS, 'out-1');
  t.is(state.startStep('b').inputDataclipId, 'd1');
});

test('a job start (given or first) takes the input dataclip itself', (t) => {
  const state = new RunState(planOf([job('a', { b: true }), job('b')]), 'd1');
  t.is(state.startStep('a').inputDataclipId, 'd1');
  const later = new RunState(planOf([job('a'), job('b')], 'b'), 'd1');
  t.is(later.startStep('b').inputDataclipId, 'd1');
});

test('a trigger start with no edges, or no input dataclip, gives no input ids and does not throw', (t) => {
  const lonely = new RunState(planOf([{ id: 't' }, job('a')], 't'), 'd1');
  t.is(lonely.startStep('a').inputDataclipId, undefined);
  const noInput = new RunState(planOf([job('a')]), undefined);
  t.is(noInput.startStep('a').inputDataclipId, undefined);
});

test("each step's output dataclip feeds the steps it leads to", (t) => {
  const state = new RunState(planOf([job('a', { b: true, c: true }), job('b'), job('c')]), 'd1');
  const a = state.startStep('a');
  const completed = state.completeStep(['b', 'c'], SUCCESS, 'out-a');
  t.is(completed?.stepId, a.stepId);
  t.is(state.activeStep, undefined);
  t.is(state.startStep('b').inputDataclipId, 'out-a');
  state.completeStep([], SUCCESS, 'out-b');
  t.is(state.startStep('c').inputDataclipId, 'out-a');
});

test('a withheld output feeds no id to the steps after it, and is never the final dataclip', (t) => {
  const state = new RunState(planOf([job('a', { b: true }), job('b')]), 'd1');
  state.startStep('a');
  state.completeStep(['b'], SUCCESS, undefined);
  t.is(state.startStep('b').inputDataclipId, undefined);
  state.completeStep([], SUCCESS, undefined);
  t.is(state.finalDataclipId(), undefined);
});

test('completing with no active step does nothing', (t) => {
  t.is(new RunState(planOf([job('a')]), undefined).completeStep([], SUCCESS, 'out-2'), undefined);
});

test('the final dataclip is the output of the only leaf; several leaves have none', (t) => {
  const linear = new RunState(planOf([job('a', { b: true }), job('b')]), undefined);
  linear.startStep('a');
  linear.completeStep(['b'], SUCCESS, 'out-3');
  linear.startStep('b');
  linear.completeStep([], SUCCESS, 'out-b');
  t.is(linear.finalDataclipId(), 'out-b');

  const branches = new RunState(planOf([job('a', { b: true, c: true }), job('b'), job('c')]), undefined);
  branches.startStep('a');
  branches.completeStep(['b', 'c'], SUCCESS, 'out-4');
  for (const id of ['b', 'c']) {
    branches.startStep(id);
    branches.completeStep([], SUCCESS, 'out-5');
  }
  t.is(branches.finalDataclipId(), undefined);
});

test('the run reason comes from the leaves: a failure handled downstream is not the run failing', (t) => {
  const handled = new RunState(planOf([job('a', { rescue: true }), job('rescue')]), undefined);
  handled.startStep('a');
  handled.completeStep(['rescue'], FAIL, 'out-6');
  handled.startStep('rescue');
  handled.completeStep([], SUCCESS, 'out-7');
  t.deepEqual(handled.runReason(), SUCCESS);

  const unhandled = new RunState(planOf([job('a', { b: true }), job('b')]), undefined);
  unhandled.startStep('a');
  unhandled.completeStep([], FAIL, 'out-8');
  t.deepEqual(unhandled.runReason(), FAIL);
});
