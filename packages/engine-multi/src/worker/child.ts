// The run process: compiles and executes one plan at a time for the engine,
// reporting every runtime event over IPC. The engine kills it on timeout and
// replaces it when it runs out of memory or exits.
import { format } from 'node:util';
import { pathToFileURL } from 'node:url';
import { adaptorEntry } from '@fleet/repo';
import { compilePlan, executePlan, type JobStep, type RuntimeEvent } from '@fleet/runtime';
import type { FromChild, RunTask, SerializedError, ToChild } from './protocol.js';

const send = (message: FromChild): void => void process.send?.(message);

const event = (name: string, payload: Record<string, unknown>): void => send({ type: 'event', name, payload });

const log = (level: string, source: string, args: unknown[]): void =>
  event('workflow-log', { level, name: source, message: args.map((arg) => (typeof arg === 'string' ? arg : format('%O', arg))), time: nowNs() });

const nowNs = (): string => (BigInt(Date.now()) * 1_000_000n).toString();

// Adaptor code logs through the process's own console (job code gets a sandboxed
// one from the runtime): route it to the run as ADA lines rather than stdout.
for (const level of ['debug', 'info', 'log', 'warn', 'error'] as const) {
  console[level] = (...args: unknown[]) => log(level, 'ADA', args);
}

async function loadExports(name: string, step: JobStep): Promise<string[]> {
  const folder = step.linker?.[name]?.path;
  if (!folder) return [];
  const namespace = (await import(pathToFileURL(await adaptorEntry(folder)).href)) as Record<string, unknown>;
  const inner = namespace.default;
  // CommonJS adaptors arrive as one default export holding everything.
  const exported = inner && typeof inner === 'object' ? [...Object.keys(namespace), ...Object.keys(inner)] : Object.keys(namespace);
  return [...new Set(exported)].filter((key) => key !== 'default');
}

const toEngineEvent = (runtimeEvent: RuntimeEvent): void => {
  const { type, ...payload } = runtimeEvent;
  if (type === 'log') {
    const { level, source, message, time } = runtimeEvent;
    return event('workflow-log', { level, name: source, message, time });
  }
  event(type, payload);
};

async function run({ plan, input, options }: RunTask): Promise<void> {
  event('workflow-start', {});
  try {
    const compiled = await compilePlan(plan, { loadExports });
    const state = await executePlan(compiled, input, {
      notify: toEngineEvent,
      whitelist: options.whitelist.map(([source, flags]) => new RegExp(source, flags)),
      statePropsToRemove: options.statePropsToRemove,
      stateLimitMb: options.stateLimitMb,
      cacheKey: plan.id,
    });
    send({ type: 'done', state });
  } catch (error) {
    send({ type: 'failed', error: serialize(error) });
  }
}

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'JobError', message: String(error), severity: 'fail' };
  const { severity = 'crash' } = error as Error & { severity?: string };
  return { name: error.name, message: error.message, severity };
}

process.on('message', (message: ToChild) => {
  if (message.type === 'run') void run(message.task);
});
send({ type: 'ready' });
