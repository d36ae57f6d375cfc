import vm from 'node:vm';

/**
 * Names a job can use without importing them: every built-in of a fresh vm
 * context (the executor runs jobs in one, on this same Node) plus what the
 * executor adds to it. An exact set, so that `myDate` is not mistaken for `Date`.
 */
export const SANDBOX_GLOBALS: ReadonlySet<string> = new Set([
  ...(vm.runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[]),
  'state',
  'console',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'Buffer',
]);
