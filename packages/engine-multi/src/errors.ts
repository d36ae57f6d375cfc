/** A run cannot start because one of its adaptors is refused or could not be installed. */
export class AutoinstallError extends Error {
  override name = 'AutoinstallError';
  readonly severity = 'exception';
  constructor(
    message: string,
    /** The specifiers at fault. */
    readonly adaptors: string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A credential a step needs could not be fetched; the run does not start. */
export class CredentialLoadError extends Error {
  override name = 'CredentialLoadError';
  readonly severity = 'exception';
  constructor(
    readonly credentialId: string,
    reason: string,
  ) {
    super(`Failed to load credential ${credentialId}: ${reason}`);
  }
}

/** The run went over its wall-clock limit; its process was killed. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
  readonly severity = 'kill';
  constructor(readonly timeoutMs: number) {
    super(`Run exceeded the timeout of ${timeoutMs / 1000}s and was killed`);
  }
}

/** The run used more memory than its limit; its process was replaced. */
export class OOMError extends Error {
  override name = 'OOMError';
  readonly severity = 'kill';
  constructor(readonly memoryLimitMb: number) {
    super(`Run exceeded the memory limit of ${memoryLimitMb}mb and was killed`);
  }
}

/** The process running the job ended by itself (the job called process.exit, or it crashed), or the engine was destroyed. */
export class ExitError extends Error {
  override name = 'ExitError';
  readonly severity = 'crash';
  constructor(reason: string) {
    super(`The run's process exited before the run finished: ${reason}`);
  }
}

/** The run's process sent a message that is not one of the protocol's: its job code wrote to the channel. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly severity = 'crash';
  constructor(reason: string) {
    super(`The run's process sent a malformed message, so the run was ended: ${reason}`);
  }
}
