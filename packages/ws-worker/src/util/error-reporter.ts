// Errors an operator should hear of without reading logs, sent to Sentry when a
// DSN is configured. Only what went wrong and where leaves the worker: the
// error's type, message and stack, and tags (worker id, where, run id, event);
// never a credential, a state, a payload or a request.
import type { ErrorEvent } from '@sentry/node';

export interface ErrorContext {
  /** `worker`: the worker's own machinery; `socket`: the connection to Lightning; `run-event`: an event Lightning did not take. */
  where: 'worker' | 'socket' | 'run-event';
  runId?: string;
  event?: string;
}

export interface ErrorReporter {
  report(error: Error, context: ErrorContext): void;
  /** Sends what is queued, waiting at most `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

export const silentReporter: ErrorReporter = { report: () => undefined, close: async () => undefined };

export interface SentryOptions {
  dsn: string | undefined;
  environment: string;
  release: string;
  workerId: string;
}

/** A Sentry reporter, or the silent one when no DSN is set (Sentry is not even loaded then). */
export async function createErrorReporter({ dsn, environment, release, workerId }: SentryOptions): Promise<ErrorReporter> {
  if (!dsn) return silentReporter;
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn,
    environment,
    release: `ws-worker@${release}`,
    // No auto-instrumentation and no global handlers: they would capture requests
    // and arguments, and the worker decides itself what an uncaught error means.
    defaultIntegrations: false,
    beforeSend: onlyWhatWentWrong,
    beforeBreadcrumb: () => null,
  });
  Sentry.setTag('worker_id', workerId);
  return {
    report(error, { where, runId, event }) {
      Sentry.withScope((scope) => {
        scope.setTag('where', where);
        if (runId) scope.setTag('run_id', runId);
        if (event) scope.setTag('event', event);
        Sentry.captureException(error);
      });
    },
    close: async (timeoutMs) => void (await Sentry.close(timeoutMs)),
  };
}

// Sentry adds context on its own (the host, modules, extra data of errors); keep what identifies the error.
export function onlyWhatWentWrong(event: ErrorEvent): ErrorEvent {
  const { event_id, timestamp, level, platform, environment, release, tags, exception, sdk, type } = event;
  return { event_id, timestamp, level, platform, environment, release, tags, exception, sdk, type } as ErrorEvent;
}
