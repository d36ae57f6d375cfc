import { ValidationError } from './errors.js';

type Operation = (state: unknown) => unknown;

/** Where a job has got to: the state the running operation was given, reported if it fails. */
export interface Progress {
  state: unknown;
}

/**
 * Runs the operations a job module exports, in order, starting from
 * `progress.state`. An adaptor that exports `execute` runs them itself (it may add
 * set-up or tear-down around them); otherwise each gets the previous one's result.
 * Resolves to the final state, or undefined when the last operation gave none.
 */
export async function runOperations(
  namespace: Record<string, unknown>,
  progress: Progress,
  warn: (message: string) => void,
): Promise<unknown> {
  // An operation that returns nothing hands this on, so the next one still gets an object.
  const empty = {};
  const operations = operationsOf(namespace).map((operation, index) => async (state: unknown) => {
    progress.state = state;
    const result = await operation(state);
    if (result) return result;
    warn(`Operation ${index + 1} returned no state; the next operation gets an empty state`);
    return empty;
  });
  const { execute } = namespace;
  const final =
    typeof execute === 'function'
      ? await execute(...operations)(progress.state)
      : await operations.reduce<Promise<unknown>>(
          (chain, operation) => chain.then(operation),
          Promise.resolve(progress.state),
        );
  return final === empty ? undefined : final;
}

function operationsOf(namespace: Record<string, unknown>): Operation[] {
  const operations = namespace.default;
  if (!Array.isArray(operations)) {
    throw new ValidationError('Invalid exports: a job module must export an array of operations as its default export');
  }
  operations.forEach((operation, index) => {
    if (typeof operation !== 'function') {
      throw new ValidationError(
        `Invalid operation at statement ${index + 1}: expected a function of state, got ${typeof operation}`,
      );
    }
  });
  return operations;
}
