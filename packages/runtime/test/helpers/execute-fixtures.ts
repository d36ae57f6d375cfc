import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { RuntimeEvent } from '../../src/execute/events.js';
import type { ExecutionPlan, JobStep, LinkerEntry, Step } from '../../src/plan.js';
import { tempDir } from './temp-dir.js';

export const ADAPTOR = '@fleet-fixtures/adaptor-x';
export const CJS_ADAPTOR = '@fleet-fixtures/adaptor-cjs';

// An ESM adaptor in the style of language-common: operation factories, values given either
// as is or as a function of state (what the compiler's lazy-state transform produces).
const ESM_SOURCE = `
let calls = 0;
const resolve = (value, state) => (typeof value === 'function' ? value(state) : value);
export const fn = (f) => (state) => f(state);
export const setData = (key, value) => (state) => ({ ...state, data: { ...state.data, [key]: resolve(value, state) } });
export const count = () => (state) => ({ ...state, data: { ...state.data, count: ++calls } });
export const fail = (message) => () => { throw new Error(message); };
export const failWithTypeError = () => (state) => state.missing.property;
`;

// Assigned in a loop so that node's static analysis of CommonJS finds no names: import() then
// exposes only \`default\`, the shape the linker has to unwrap.
const CJS_SOURCE = `
'use strict';
const operations = {
  double: () => (state) => ({ ...state, data: { ...state.data, n: state.data.n * 2 } }),
  execute: (...ops) => (state) =>
    ops.reduce((chain, op) => chain.then(op), Promise.resolve({ ...state, viaExecute: true })),
};
for (const [name, value] of Object.entries(operations)) module.exports[name] = value;
`;

async function writeAdaptor(root: string, name: string, manifest: object, source: string): Promise<LinkerEntry> {
  const folder = path.join(root, 'node_modules', `${name}_1.0.0`);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
  await writeFile(path.join(folder, 'index.js'), source);
  return { path: folder, version: '1.0.0' };
}

/** Both fixture adaptors, installed in a fresh folder for this test; the value is a step's `linker`. */
export async function fixtureAdaptors(t: ExecutionContext): Promise<Record<string, LinkerEntry>> {
  const root = await tempDir(t, 'fleet-execute-');
  return {
    [ADAPTOR]: await writeAdaptor(root, ADAPTOR, { type: 'module', exports: './index.js' }, ESM_SOURCE),
    [CJS_ADAPTOR]: await writeAdaptor(root, CJS_ADAPTOR, { main: 'index.js' }, CJS_SOURCE),
  };
}

export const plan = (steps: Step[], options?: ExecutionPlan['options'], globals?: string): ExecutionPlan => ({
  id: 'plan-1',
  options,
  workflow: { steps, globals },
});

/** A job step whose compiled module exports `operations` (JavaScript source of an array's items). */
export const job = (id: string, operations: string, extra: Partial<JobStep> = {}): JobStep => ({
  id,
  expression: `export default [${operations}];`,
  ...extra,
});

/** A job step that imports from the ESM fixture adaptor. */
export const adaptorJob = (
  id: string,
  linker: Record<string, LinkerEntry>,
  operations: string,
  extra: Partial<JobStep> = {},
): JobStep => ({
  id,
  expression: [
    `import { fn, setData, count, fail, failWithTypeError } from '${ADAPTOR}';`,
    `export default [${operations}];`,
  ].join('\n'),
  linker,
  ...extra,
});

export function recorder(): {
  events: RuntimeEvent[];
  notify: (event: RuntimeEvent) => void;
  of: <T extends RuntimeEvent['type']>(type: T) => Extract<RuntimeEvent, { type: T }>[];
} {
  const events: RuntimeEvent[] = [];
  return {
    events,
    notify: (event) => events.push(event),
    of: (type) => events.filter((event) => event.type === type) as never,
  };
}
