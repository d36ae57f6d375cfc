import vm from 'node:vm';
import { JobError, ValidationError } from './errors.js';
import type { Log } from './log.js';

/** For every context that runs user code: no eval, no `new Function`, no WebAssembly compilation. */
export const CODE_GENERATION = { strings: false, wasm: false } as const;

export interface SandboxOptions {
  state: unknown;
  console: Log;
  /** Exports of the workflow's globals module. */
  globals: Record<string, unknown>;
}

/** Fails early and clearly when node runs without the flag that job modules need. */
export function assertVmModules(): void {
  if (typeof vm.SourceTextModule !== 'function') {
    throw new ValidationError('The runtime needs node to run with --experimental-vm-modules to load job code');
  }
}

/**
 * A fresh context for one step's job code. Every member except `state` is
 * read-only, so job code cannot swap out `console` or `Buffer` for the code that
 * runs after it.
 */
export function createSandbox({ state, console, globals }: SandboxOptions): vm.Context {
  const members: Record<string, unknown> = {
    ...globals,
    console,
    setTimeout: readOnlyCopy(setTimeout),
    setInterval: readOnlyCopy(setInterval),
    clearTimeout: readOnlyCopy(clearTimeout),
    clearInterval: readOnlyCopy(clearInterval),
    parseInt: readOnlyCopy(parseInt),
    parseFloat: readOnlyCopy(parseFloat),
    Buffer: SafeBuffer,
  };
  // A globals export named `state` must not hide the job's state.
  delete members.state;
  const sandbox: Record<string, unknown> = { state };
  for (const [name, value] of Object.entries(members)) {
    Object.defineProperty(sandbox, name, { value, enumerable: true, writable: false, configurable: false });
  }
  return vm.createContext(sandbox, { codeGeneration: CODE_GENERATION });
}

// Freezing the host's own functions would change them for the whole process, so freeze copies.
const readOnlyCopy = <F extends (...args: never[]) => unknown>(fn: F): F => Object.freeze(fn.bind(undefined)) as F;

/**
 * Buffer for job code, with static methods (`Buffer.from`, `Buffer.alloc`) and
 * `instanceof` intact, but without the deprecated constructor, which can hand out
 * uninitialised memory. A function rather than a `class ... extends Buffer`: a
 * derived class constructor must call `super`, and this one must never build a buffer.
 */
function SafeBuffer(): never {
  throw new JobError('new Buffer() is not allowed in job code: use Buffer.from() or Buffer.alloc()');
}
Object.setPrototypeOf(SafeBuffer, Buffer);
SafeBuffer.prototype = Buffer.prototype;
Object.freeze(SafeBuffer);
