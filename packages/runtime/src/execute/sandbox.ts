import vm from 'node:vm';
import { JobError, ValidationError } from './errors.js';
import type { Log } from './log.js';
import { realmOf } from './realm.js';

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
 * A fresh context for one step's job code. Every global it adds is read-only, so
 * job code cannot swap out `console` or `Buffer` for the code that runs after
 * it, and all but `Buffer` and the workflow's globals are made inside the
 * context (see realm.ts): `state` is the context's own copy of the state.
 */
export function createSandbox({ state, console, globals }: SandboxOptions): vm.Context {
  const sandbox: Record<string, unknown> = {};
  const context = vm.createContext(sandbox, { codeGeneration: CODE_GENERATION });
  const realm = realmOf(context);
  const members: Record<string, unknown> = { ...globals, console: realm.console(console), ...realm.timers(), Buffer: SafeBuffer };
  // A globals export named `state` must not hide the job's state.
  delete members.state;
  sandbox.state = realm.copy(state);
  for (const [name, value] of Object.entries(members)) {
    Object.defineProperty(sandbox, name, { value, enumerable: true, writable: false, configurable: false });
  }
  return context;
}

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
