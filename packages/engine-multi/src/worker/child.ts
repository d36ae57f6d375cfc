// A run process: made for one run (see pool.ts), it imports the run's adaptors
// while it waits, then executes the compiled plan it is sent, reporting every
// runtime event over IPC. Job code in it is hostile: the engine starts it
// under Node's permission model with an environment of its choosing, and this
// file takes away what the permission model leaves (signals to other processes).
import { format, types } from 'node:util';
import { pathToFileURL } from 'node:url';
import { adaptorEntry } from '@fleet/repo/adaptor-entry';
import { executePlan, moduleExports, type LogLevel, type LogSource, type RuntimeEvent } from '@fleet/runtime/executor';
import { createEventFlow } from './event-flow.js';
import { BYTES_PER_MB, fitLogMessage, fitState, logWanted, sanitize } from './outgoing.js';
import type { AdaptorExports, FromChild, RunLimits, RunTask, SerializedError, ToChild } from './protocol.js';

const send = (message: FromChild, then: () => void = () => undefined): void => void process.send?.(message, then);

// Until a run arrives (adaptors log while they are imported) the strictest
// defaults hold: nothing the run's own limits would not let through.
let limits: RunLimits = { payloadLimitBytes: 0, logPayloadLimitBytes: BYTES_PER_MB, jobLogLevel: 'debug', sanitize: 'none' };

const nowNs = (): string => (BigInt(Date.now()) * 1_000_000n).toString();

// As fast as the worker grants; a run that ends sends what it kept first.
const events = createEventFlow((event) => send({ type: 'event', event }), { maxLines: 200_000, maxBytes: 64 * BYTES_PER_MB }, nowNs);

// How long a run that has ended waits for the worker to take what it held.
const DRAIN_MS = 30_000;

// Every event leaves through here, fitted to the run's limits.
function notify(event: RuntimeEvent): void {
  if (event.type === 'log') {
    if (!logWanted(event.source, event.level, limits.jobLogLevel)) return;
    const message = event.source === 'R/T' ? event.message : sanitize(event.message, limits.sanitize);
    return events.report({ ...event, message: fitLogMessage(message, limits) });
  }
  if (event.type === 'job-complete' || event.type === 'job-error') {
    return events.report({ ...event, ...fitState(event.state, limits) });
  }
  events.report(event);
}

// A line of this process's own (adaptor code, a crash) goes the way the runtime's do; it is
// sanitized before formatting, as once an object is text the policy cannot see it.
const log = (level: LogLevel, source: LogSource, args: unknown[]): void =>
  notify({ type: 'log', level, source, message: (source === 'R/T' ? args : sanitize(args, limits.sanitize)).map(text), time: nowNs() });

const text = (arg: unknown): string => (typeof arg === 'string' ? arg : format('%O', arg));

// The permission model does not cover signals: without this, code that reached
// `process` could SIGKILL the worker or another run's process.
const refuse = (): never => {
  throw new Error('Run processes may not send signals');
};
Object.defineProperty(process, 'kill', { value: refuse, writable: false, configurable: false });
Object.defineProperty(process, '_kill', { value: refuse, writable: false, configurable: false });

// Adaptor code logs through the process's own console (job code gets a sandboxed
// one from the runtime): route it to the run as ADA lines rather than stdout.
for (const level of ['debug', 'info', 'log', 'warn', 'error'] as const) {
  console[level] = (...args: unknown[]) => log(level, 'ADA', args);
}

// The worker is gone (killed, say): a run process never outlives it.
process.on('disconnect', () => process.exit(0));

// A timer or a forgotten promise of job code that throws ends this run, and only
// this run, in its own log: nothing else shares the process.
const crash = (what: string) => (error: unknown) => {
  const failure = serialize(error);
  const message = `${what}: ${failure.name}: ${failure.message}`;
  log('error', 'R/T', [message]);
  // With no time to wait, drain sends everything at once, before `failed`.
  void events.drain(0);
  send({ type: 'failed', error: { ...failure, message, severity: 'crash' } }, () => process.exit(70));
};
process.on('uncaughtException', crash('Uncaught exception in job code'));
process.on('unhandledRejection', crash('Unhandled promise rejection in job code'));

async function prepare(folders: string[]): Promise<void> {
  const exports: AdaptorExports = {};
  for (const folder of folders) exports[folder] = await exportsOf(folder).catch((error: unknown) => ({ error: text((error as Error)?.message ?? error) }));
  send({ type: 'ready', exports });
}

// The names job code may import from an adaptor, exactly as the linker will
// expose them; importing it here also makes the run's own import a cache hit.
async function exportsOf(folder: string): Promise<string[]> {
  const namespace = (await import(pathToFileURL(await adaptorEntry(folder)).href)) as Record<string, unknown>;
  return Object.keys(moduleExports(namespace)).filter((key) => key !== 'default');
}

async function run({ plan, input, options }: RunTask): Promise<void> {
  limits = options.limits;
  events.open(options.logWindow);
  try {
    const state = await executePlan(plan, input, {
      notify,
      whitelist: options.whitelist.map(([source, flags]) => new RegExp(source, flags)),
      statePropsToRemove: options.statePropsToRemove,
      stateLimitMb: options.stateLimitMb,
    });
    await events.drain(DRAIN_MS);
    send({ type: 'done', ...fitState(state, limits) });
  } catch (error) {
    await events.drain(DRAIN_MS);
    send({ type: 'failed', error: serialize(error) });
  }
}

function serialize(error: unknown): SerializedError {
  // Errors of job code come from its context, where `instanceof Error` does not hold.
  if (!types.isNativeError(error)) return { name: 'JobError', message: text(error), severity: 'fail' };
  const { severity = 'crash' } = error as Error & { severity?: string };
  return { name: error.name, message: error.message, severity };
}

process.on('message', (message: ToChild) => {
  if (message.type === 'prepare') void prepare(message.adaptorFolders);
  else if (message.type === 'run') void run(message.task);
  else if (message.type === 'grant') events.grant(message.lines);
});
