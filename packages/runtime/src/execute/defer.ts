type Operation = (state: unknown) => unknown;

/**
 * What the compiler turns `op(...).then(f).catch(g)` at the top level of a job
 * into, as `defer(op(...), p => p.then(f).catch(g))`: an operation that runs `op`
 * only when its turn comes and hands the resulting promise to `chain`. Without
 * it, `.then` would be called on the operation function itself while the module
 * loads. A synchronous throw from `op` becomes a rejection, as it would in a `.then`.
 */
export function defer(operation: Operation, chain: (result: Promise<unknown>) => unknown): Operation {
  return (state) => chain(Promise.resolve().then(() => operation(state)));
}
