/**
 * The logging surface the runtime needs. Structurally compatible with pino and
 * with `console`, so callers pass whatever logger they already have.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const noop = (): void => {};

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
