import { optionLabel, switchKeys, type OptionKey } from './options.js';

/**
 * The worker cannot start with this configuration. The message is one line that
 * names the option, its flag and env var, the bad value and what was expected, so
 * the CLI prints it as it is, without a stack trace.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    /** The option at fault, when there is one. */
    readonly option?: OptionKey,
  ) {
    super(message);
  }

  static invalid(key: OptionKey, value: string, expected: string): ConfigError {
    return new ConfigError(`Invalid ${optionLabel(key)}: ${quote(value)} is not ${expected}`, key);
  }

  /** yargs' `--no-` prefix works on every flag; only switches may use it. */
  static negated(key: OptionKey): ConfigError {
    const negatable = switchKeys.map((name) => `--no-${name}`).join(', ');
    return new ConfigError(`Invalid --no-${key}: only ${negatable} can be negated; give --${key} a value`, key);
  }
}

const MAX_QUOTED = 60;

// JSON quoting escapes newlines, so a pasted multi-line value cannot break the
// one-line promise; long values (a base64 key) are cut to keep the line readable.
function quote(value: string): string {
  const cut = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
  return JSON.stringify(cut);
}
