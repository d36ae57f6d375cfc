import type { Engine } from '@fleet/engine-multi';
import type { Socket } from 'phoenix';
import type { Logger } from 'pino';
import { createOutbox, type BatchLogs, type Outbox } from '../channels/outbox.js';
import { joinRunChannel, type RunChannel } from '../channels/run.js';
import { InvalidPlanError } from '../errors.js';
import { exitReason } from '../events/exit-reason.js';
import { createRunRelay, sendCompletion, type RunLimits } from '../events/run-relay.js';
import { RunState } from '../events/run-state.js';
import type { ClaimedRun, ExitReason } from '@fleet/lightning-protocol';
import { convertPlan } from '../util/convert-plan.js';
import type { RunResult, WorkerMetrics } from '../util/metrics.js';
import type { ErrorReporter } from '../util/error-reporter.js';
import type { VerifyRunToken } from '../util/run-token.js';

export interface RunDeps {
  socket: Socket;
  engine: Pick<Engine, 'execute' | 'listen' | 'grantLogLines'>;
  /** Undefined: run tokens are not verified (no Lightning public key configured). */
  verifyToken: VerifyRunToken | undefined;
  messageTimeoutMs: number;
  /** The worker's own limits: a run's plan may lower them, never raise them. */
  limits: RunLimits;
  /** Lightning's collections API and the adaptor version jobs that use it get; undefined: off. */
  collections: { url: string; version: string } | undefined;
  /** How log lines travel: undefined, one push each. */
  batchLogs: BatchLogs | undefined;
  workerVersion: string;
  metrics: Pick<WorkerMetrics, 'runCompleted' | 'autoinstall'>;
  reporter: ErrorReporter;
  logger: Logger;
}

export interface RunHandle {
  readonly id: string;
  /** Resolves once the run is over for this worker: reported (or given up on) and its channel left. Never rejects. */
  readonly done: Promise<void>;
  /** Ends the run now with the error's severity as reason (`kill` for a ShutdownError) and reports it. */
  kill(error: Error): void;
  /** Stops trying to reach Lightning for this run; what was not delivered is dropped. */
  abandon(reason: string): void;
}

/**
 * One claimed run, from its claim to its `run:complete`: verify the token,
 * join `run:<id>`, fetch and convert the plan, fetch the input, execute it
 * through the engine while relaying its events, leave the channel. Anything
 * that goes wrong ends this run only, reported to Lightning when its channel
 * can still be reached; the worker keeps serving.
 */
export function startRun(claimed: ClaimedRun, deps: RunDeps): RunHandle {
  const { id } = claimed;
  const { logger, messageTimeoutMs: timeoutMs } = deps;
  const started = performance.now();
  // Aborted by kill or abandon: stops waiting on Lightning (join, fetches).
  const stopped = new AbortController();
  let failRelay: ((reason: ExitReason) => void) | undefined;
  let outbox: Outbox | undefined;
  let abandoned = false;

  function abandon(reason: string): void {
    abandoned = true;
    outbox?.abandon(reason);
    stopped.abort(new Error(reason));
  }

  async function verifyToken(): Promise<Error | undefined> {
    try {
      await deps.verifyToken?.(id, claimed.token);
      return undefined;
    } catch (error) {
      logger.error(`Run ${id} will not be executed: ${(error as Error).message}`);
      return error as Error;
    }
  }

  async function execute(channel: RunChannel, sink: Outbox): Promise<ExitReason> {
    const collections = deps.collections && { ...deps.collections, token: claimed.token };
    const { plan, dataclipId, options } = convertPlan(await channel.fetchPlan(), { collections });
    if (plan.id !== id) throw new InvalidPlanError([`id ${plan.id} is not the id of the claimed run ${id}`]);
    const input = dataclipId === undefined ? undefined : await channel.fetchDataclip(dataclipId);
    stopped.signal.throwIfAborted();
    const memoryLimitMb = Math.min(deps.limits.memoryLimitMb, options.memoryLimitMb ?? Infinity);
    if (options.memoryLimitMb !== undefined && options.memoryLimitMb > memoryLimitMb) {
      logger.warn(`Run ${id} asks for ${options.memoryLimitMb} MB of memory; this worker gives a run at most ${memoryLimitMb} MB (--run-memory)`);
    }
    const runTimeoutMs = options.runTimeoutMs ?? deps.limits.runTimeoutMs;
    const payloadLimitMb = Math.min(deps.limits.payloadLimitMb, options.payloadLimitMb ?? Infinity);
    const logPayloadLimitMb = Math.min(deps.limits.logPayloadLimitMb, options.logPayloadLimitMb ?? Infinity);
    const relay = createRunRelay({
      runId: id,
      state: new RunState(plan, dataclipId),
      sink,
      workerVersion: deps.workerVersion,
      outputDataclips: options.outputDataclips,
      limits: { memoryLimitMb, runTimeoutMs, payloadLimitMb, logPayloadLimitMb },
      onAutoinstall: deps.metrics.autoinstall,
    });
    failRelay = relay.fail;
    deps.engine.listen(id, relay.handlers);
    try {
      deps.engine.execute(plan, input, {
        runTimeoutMs,
        memoryLimitMb,
        payloadLimitMb,
        logPayloadLimitMb,
        logWindow: LOG_WINDOW,
        ...(options.jobLogLevel ? { jobLogLevel: options.jobLogLevel } : {}),
        ...(options.sanitize ? { sanitize: options.sanitize } : {}),
        resolvers: { credential: channel.fetchCredential },
      });
    } catch (error) {
      relay.fail(reasonOf(error));
    }
    return relay.outcome;
  }

  async function lifecycle(): Promise<ExitReason | undefined> {
    const tokenError = await verifyToken();
    let channel: RunChannel;
    try {
      channel = await joinRunChannel(deps.socket, id, claimed.token, { timeoutMs, signal: stopped.signal });
    } catch (error) {
      logger.error(`Run ${id}: could not join its channel (${(error as Error).message}); Lightning will time the run out`);
      return undefined;
    }
    const sink = (outbox = createOutbox(channel.channel, {
      runId: id,
      timeoutMs,
      logger,
      ...(deps.batchLogs ? { batch: deps.batchLogs } : {}),
      // Back-pressure: while Lightning lags, the run's process keeps its lines, not this worker.
      onTaken: (lines) => deps.engine.grantLogLines(id, lines),
      onRefused: (event, error) => deps.reporter.report(error, { where: 'run-event', runId: id, event }),
    }));
    channel.channel.onStatus('refused', (response) => abandon(`Lightning refused to rejoin its channel: ${JSON.stringify(response)}`));
    let reason: ExitReason;
    try {
      if (tokenError) throw tokenError;
      reason = await execute(channel, sink);
    } catch (error) {
      reason = reasonOf(error);
      sendCompletion(sink, id, { ...reason });
    }
    await sink.drained();
    await channel.leave();
    return abandoned ? undefined : reason;
  }

  const report = (reason: ExitReason | undefined): void => {
    const result: RunResult = reason?.reason ?? 'lost';
    deps.metrics.runCompleted(result, performance.now() - started);
    if (!reason) logger.warn(`Run ${id} ended without Lightning being told`);
    else if (reason.reason === 'success') logger.info(`Run ${id} complete: success`);
    else logger.warn(`Run ${id} complete: ${reason.reason} (${reason.error_type}: ${reason.error_message})`);
  };

  logger.info(`Claimed run ${id}`);
  return {
    id,
    done: lifecycle().then(report, (error: Error) => {
      logger.error(`Run ${id} broke the worker's run lifecycle: ${error.stack ?? error.message}`);
      deps.reporter.report(error, { where: 'worker', runId: id });
      report(undefined);
    }),
    kill(error) {
      failRelay?.(reasonOf(error));
      stopped.abort(error);
    },
    abandon,
  };
}

/** Log lines of one run on their way to Lightning at most; the run's process keeps the rest. */
const LOG_WINDOW = 2_000;

/**
 * The exit reason of a run that ended outside the engine: `kill` for an error
 * that says so (the worker shutting down), otherwise `exception`, Lightning's
 * reason for a run that failed through no fault of its own code.
 */
function reasonOf(error: unknown): ExitReason {
  const { name, message, severity } = error as Error & { severity?: unknown };
  return exitReason(severity === 'kill' ? 'kill' : 'exception', name, message);
}
