import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LinkerEntry } from '../plan.js';
import {
  AdaptorError,
  ExecutionError,
  JobError,
  messageOf,
  RuntimeCrash,
  RuntimeError,
  SecurityError,
} from './errors.js';
import { toJsonSafe } from './json-safe.js';

// What V8 says when a context built with CODE_GENERATION refuses to compile.
const CODE_GENERATION_REFUSED = /Code generation from strings disallowed|Wasm code generation disallowed/;

// "    at fn (location:line:column)" or "    at location:line:column".
const STACK_FRAME = /^\s*at (?:.*? \((.+):\d+:\d+\)|(.+):\d+:\d+)$/;

/**
 * Turns whatever job code threw into the runtime error that decides what
 * happens next (first match wins): the runtime's own errors as they are; errors
 * raised in adaptor code; then by the JavaScript error type. (ImportErrors only
 * come from the linker, as the runtime's own errors.)
 */
export function classifyError(thrown: unknown, adaptorRoots: string[]): ExecutionError {
  if (thrown instanceof ExecutionError) return thrown;
  const message = messageOf(thrown);
  if (thrownBy(thrown, adaptorRoots)) return new AdaptorError(message, toJsonSafe(thrown));
  // Errors from job code come from another realm: match them by name, not instanceof.
  const name = (thrown as { name?: unknown } | null | undefined)?.name;
  if (name === 'TypeError' || name === 'RangeError') return new RuntimeError(name, message);
  if (name === 'ReferenceError' || name === 'SyntaxError' || severityOf(thrown) === 'crash') {
    return new RuntimeCrash(`${String(name ?? 'Error')}: ${message}`, typeof name === 'string' ? name : undefined);
  }
  if (name === 'EvalError' || CODE_GENERATION_REFUSED.test(message)) return new SecurityError();
  return new JobError(message);
}

/**
 * The folders a step's adaptors live in, as given and with symlinks resolved:
 * node imports a module by its real path, so that is what stack frames show.
 */
export async function adaptorRoots(linker: Record<string, LinkerEntry> = {}): Promise<string[]> {
  const given = Object.values(linker).map((entry) => path.resolve(entry.path));
  const real = await Promise.all(given.map((root) => realpath(root).catch(() => root)));
  return [...new Set([...given, ...real])];
}

const severityOf = (thrown: unknown): unknown => (thrown as { severity?: unknown } | null | undefined)?.severity;

/**
 * Whether the innermost frame of a stack that is a real place in code (not a
 * node internal or a native function) lies in one of the folders. Job code's frames
 * are named after its module (`<step id>.js`), which is in no folder.
 */
function thrownBy(thrown: unknown, folders: string[]): boolean {
  const stack = (thrown as { stack?: unknown } | null | undefined)?.stack;
  if (typeof stack !== 'string' || folders.length === 0) return false;
  for (const line of stack.split('\n')) {
    const match = STACK_FRAME.exec(line);
    const location = match?.[1] ?? match?.[2];
    if (!location || location.startsWith('node:') || location === '<anonymous>' || location === 'native') continue;
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    return folders.some((folder) => file.startsWith(folder + path.sep));
  }
  return false;
}
