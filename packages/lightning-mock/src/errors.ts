/** A plan given to `enqueueRun` (or `POST /api/runs`) is not a valid Lightning plan. */
export class InvalidPlanError extends Error {
  override name = 'InvalidPlanError';
  constructor(
    /** One line per problem, each naming the field at fault. */
    readonly problems: string[],
  ) {
    super(`Invalid plan: ${problems.join('; ')}`);
  }
}

/** An option of `createLightningMock` (or a CLI flag) has a value the mock cannot use. */
export class InvalidOptionsError extends Error {
  override name = 'InvalidOptionsError';
}

export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
  constructor(readonly runId: string) {
    super(`No run with id ${runId}; enqueue it first`);
  }
}

/** `waitForRun` gave up before the run reached a final status. */
export class RunTimeoutError extends Error {
  override name = 'RunTimeoutError';
  constructor(
    readonly runId: string,
    readonly timeoutMs: number,
    readonly lastStatus: string,
  ) {
    super(`Run ${runId} was still ${lastStatus} after ${timeoutMs}ms; is a worker connected and claiming?`);
  }
}

/** The mock was closed while something was still waiting on it. */
export class MockClosedError extends Error {
  override name = 'MockClosedError';
  constructor() {
    super('The lightning mock was closed');
  }
}
