// Named errors of the Lightning client and the run lifecycle. The `name` of an
// error that ends a run becomes the `error_type` Lightning shows for it.

/** Lightning answered a push with an error reply. */
export class LightningReplyError extends Error {
  override name = 'LightningReplyError';
  constructor(
    readonly event: string,
    readonly response: unknown,
  ) {
    super(`[${event}] ${describeResponse(response)}`);
  }
}

/** Lightning did not answer a push in time while the connection stayed up. */
export class LightningTimeoutError extends Error {
  override name = 'LightningTimeoutError';
  constructor(
    readonly event: string,
    readonly timeoutMs: number,
  ) {
    super(`[${event}] no reply within ${timeoutMs / 1000}s (see --message-timeout)`);
  }
}

/** The channel lost its connection before the reply came: the push may or may not have arrived. */
export class ChannelLostError extends Error {
  override name = 'ChannelLostError';
  constructor(readonly event: string) {
    super(`[${event}] the connection to Lightning was lost before the reply`);
  }
}

/** A run token that does not verify against the configured Lightning public key. */
export class RunTokenError extends Error {
  override name = 'RunTokenError';
  constructor(
    readonly runId: string,
    reason: string,
  ) {
    super(`The token of run ${runId} failed verification (${reason}); check --lightning-public-key (WORKER_LIGHTNING_PUBLIC_KEY)`);
  }
}

/** `fetch:plan` failed, so the run has nothing to execute. */
export class FetchPlanError extends Error {
  override name = 'FetchPlanError';
  constructor(runId: string, detail: string) {
    super(`Failed to fetch the plan of run ${runId}: ${detail}`);
  }
}

/** The plan Lightning sent cannot be turned into an execution plan. */
export class InvalidPlanError extends Error {
  override name = 'InvalidPlanError';
  constructor(readonly problems: string[]) {
    super(`Invalid plan: ${problems.join('; ')}`);
  }
}

/** The run's input dataclip could not be fetched or parsed. */
export class DataclipError extends Error {
  override name = 'DataclipError';
  constructor(id: string, detail: string) {
    super(`Failed to load dataclip ${id}: ${detail}`);
  }
}

/** The worker shut down before the run finished, and killed it. */
export class ShutdownError extends Error {
  override name = 'ShutdownError';
  readonly severity = 'kill';
  constructor(timeoutMs: number) {
    super(`The worker shut down and killed the run after waiting ${timeoutMs / 1000}s for it to finish`);
  }
}

function describeResponse(response: unknown): string {
  if (typeof response === 'string') return response;
  const reason = (response as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? reason : JSON.stringify(response);
}
