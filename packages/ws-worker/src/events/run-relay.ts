import type { EngineEventName, EnginePayload, RunHandlers } from '@fleet/engine-multi';
import type { AutoinstallEvent } from '../util/metrics.js';
import type { ExitReason, RunCompletePayload, RunEventName, RunEvents } from '@fleet/lightning-protocol';
import { workflowErrorReason } from './exit-reason.js';
import { runCompletePayload, statusLog } from './run-complete.js';
import { runLogPayload, workerLogPayload } from './run-log.js';
import { runStartPayload, versionsBanner } from './run-start.js';
import type { RunState } from './run-state.js';
import { interruptedStepPayload, stepCompletePayload, withheldNote } from './step-complete.js';
import { stepStartPayload } from './step-start.js';

/** What a run may use and send, after its plan had its say. */
export interface RunLimits {
  memoryLimitMb: number;
  runTimeoutMs: number;
  payloadLimitMb: number;
  logPayloadLimitMb: number;
}

// Worded as the reference worker's, which Lightning users know.
const limitLines = ({ memoryLimitMb, runTimeoutMs, payloadLimitMb, logPayloadLimitMb }: RunLimits): string[] => [
  `Memory limit: ${memoryLimitMb}mb`,
  `Timeout: ${runTimeoutMs / 1000}s`,
  `Payload limit: ${payloadLimitMb}mb`,
  `Log payload limit: ${logPayloadLimitMb}mb`,
];

/** Where a run's Lightning events go (the run's outbox). */
export interface RunEventSink {
  send<E extends RunEventName>(event: E, payload: RunEvents[E]): void;
}

export interface RunRelayOptions {
  runId: string;
  state: RunState;
  sink: RunEventSink;
  workerVersion: string;
  outputDataclips: boolean;
  /** The limits in force for the run, told at its start; the payload limit also in the note for a withheld output. */
  limits: RunLimits;
  onAutoinstall?: (event: AutoinstallEvent) => void;
}

export interface RunRelay {
  /** For `engine.listen(runId, handlers)`. */
  handlers: RunHandlers;
  /**
   * Ends the run from outside the engine (killed at shutdown, or it could not
   * start): the step running is closed with the same reason. Engine events that
   * come after the end are ignored.
   */
  fail(reason: ExitReason): void;
  /** Resolves with how the run ended once its `run:complete` is queued. */
  readonly outcome: Promise<ExitReason>;
}

/** Sends the closing status lines and `run:complete`. */
export function sendCompletion(sink: RunEventSink, runId: string, payload: RunCompletePayload): void {
  sink.send('run:log', statusLog(runId, payload));
  sink.send('run:complete', payload);
}

/**
 * Turns one run's engine events into Lightning events, in the order they
 * happen: workflow-start → run:start, job-start → step:start, workflow-log →
 * run:log, job-complete/job-error → step:complete, workflow-complete/-error →
 * run:complete. Autoinstall events go to metrics only.
 */
export function createRunRelay({ runId, state, sink, workerVersion, outputDataclips, limits, onAutoinstall }: RunRelayOptions): RunRelay {
  const { payloadLimitMb } = limits;
  let ended = false;
  let resolveOutcome: (reason: ExitReason) => void = () => undefined;
  const outcome = new Promise<ExitReason>((resolve) => (resolveOutcome = resolve));

  const finish = (reason: ExitReason, payload: RunCompletePayload): void => {
    ended = true;
    sendCompletion(sink, runId, payload);
    resolveOutcome(reason);
  };

  const fail = (reason: ExitReason): void => {
    if (ended) return;
    const interrupted = interruptedStepPayload(state, reason, { outputDataclips });
    if (interrupted) sink.send('step:complete', interrupted);
    finish(reason, { ...reason });
  };

  const stepComplete = (event: EnginePayload<'job-complete'> | EnginePayload<'job-error'>): void => {
    const completed = stepCompletePayload(state, event, { runId, outputDataclips });
    if (!completed) return;
    const { payload, withheld } = completed;
    if (withheld) sink.send('run:log', workerLogPayload(runId, 'R/T', 'warn', `${withheldNote(`The output of step ${payload.job_id}`, withheld, payloadLimitMb)}; the steps after it still get it`, payload.step_id));
    sink.send('step:complete', payload);
  };

  // Engine events that come after the run ended (failed from outside) are dropped.
  const whileRunning =
    <E extends EngineEventName>(handle: (event: EnginePayload<E>) => void) =>
    (event: EnginePayload<E>): void => {
      if (!ended) handle(event);
    };

  const handlers: RunHandlers = {
    'workflow-start': whileRunning((event) => {
      const payload = runStartPayload(event, workerVersion);
      sink.send('run:start', payload);
      sink.send('run:log', workerLogPayload(runId, 'VER', 'info', versionsBanner(payload)));
      for (const line of limitLines(limits)) sink.send('run:log', workerLogPayload(runId, 'RTE', 'info', line));
    }),
    'job-start': whileRunning((event) => sink.send('step:start', stepStartPayload(state, event))),
    'workflow-log': whileRunning((event) => sink.send('run:log', runLogPayload(runId, event, state.activeStep?.stepId))),
    'job-complete': whileRunning(stepComplete),
    'job-error': whileRunning(stepComplete),
    'workflow-complete': whileRunning((event) => {
      const reason = state.runReason();
      if (event.withheld !== undefined) {
        const note = withheldNote("The run's final state", { bytes: event.withheld, over: 'payload limit' }, payloadLimitMb);
        sink.send('run:log', workerLogPayload(runId, 'R/T', 'warn', note));
      }
      finish(reason, runCompletePayload(reason, event, state.finalDataclipId()));
    }),
    'workflow-error': whileRunning((event) => fail(workflowErrorReason(event))),
    'autoinstall-complete': (payload) => onAutoinstall?.({ name: 'autoinstall-complete', payload }),
    'autoinstall-error': (payload) => onAutoinstall?.({ name: 'autoinstall-error', payload }),
  };
  return { handlers, fail, outcome };
}
