import vm from 'node:vm';
import { stringifySafe } from './json-safe.js';
import type { Log } from './log.js';

/**
 * Makers of the values a context hands to job code, evaluated inside that
 * context. What they make belongs to the context's realm, so
 * `state.constructor.constructor` or `console.log.constructor` is the context's
 * `Function`, which cannot compile code (code generation is off in every job
 * context), never the host's, which would return the run process's `process`.
 * The host callbacks they are given stay in their closures, out of reach.
 */
const MAKERS = `({
  copy: (json) => JSON.parse(json),
  console: (levels, write) => {
    const methods = {};
    for (const level of levels) {
      methods[level] = (...args) => {
        try { write(level, args); } catch (error) { throw new Error(String(error && error.message)); }
      };
    }
    return Object.freeze(methods);
  },
  timers: (set, clear) => {
    const start = (repeat) => (callback, delay, ...args) => {
      if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
      return set(repeat, () => callback(...args), Number(delay) || 0);
    };
    const stop = (id) => { clear(Number(id)); };
    return { setTimeout: start(false), setInterval: start(true), clearTimeout: stop, clearInterval: stop };
  },
})`;

interface Makers {
  copy(json: string): unknown;
  console(levels: string[], write: (level: string, args: unknown[]) => void): Log;
  timers(set: (repeat: boolean, callback: () => void, delay: number) => number, clear: (id: number) => void): Timers;
}

export interface Timers {
  setTimeout: (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => number;
  setInterval: (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => number;
  clearTimeout: (id: unknown) => void;
  clearInterval: (id: unknown) => void;
}

/** Builds values for job code inside one context. */
export interface Realm {
  /** A deep, JSON-safe copy of `value` (see stringifySafe) made of the context's objects. */
  copy<T>(value: T): T;
  /** A console of the context's functions that writes to `log`. */
  console(log: Log): Log;
  /** Timers of the context's functions; they hand out numbers, not the host's Timeout objects. */
  timers(): Timers;
}

export function realmOf(context: vm.Context): Realm {
  const makers = vm.runInContext(MAKERS, context) as Makers;
  return {
    copy: <T>(value: T): T => {
      const text = stringifySafe(value);
      return (text === undefined ? undefined : makers.copy(text)) as T;
    },
    console: (log) => makers.console(Object.keys(log), (level, args) => log[level as keyof Log](...args)),
    timers: () => {
      const pending = new Map<number, NodeJS.Timeout>();
      let last = 0;
      return makers.timers(
        (repeat, callback, delay) => {
          const id = ++last;
          const timer = repeat
            ? setInterval(callback, delay)
            : setTimeout(() => {
                pending.delete(id);
                callback();
              }, delay);
          pending.set(id, timer);
          return id;
        },
        (id) => {
          clearTimeout(pending.get(id));
          pending.delete(id);
        },
      );
    },
  };
}
