import { ConfigError } from './config-error.js';
import { OPTIONS, specOf, type DefaultedKey, type OptionKey, type SwitchKey, type UndefaultedKey } from './options.js';
import { InvalidValue, type Parse } from './parse-value.js';

/** Reads each option from its flag, else its env var, else its default: the one precedence rule. */
export interface OptionSource {
  value<T>(key: DefaultedKey, parse: Parse<T>): T;
  optional<T>(key: UndefaultedKey, parse: Parse<T>): T | undefined;
  /** `fromEnv` reads the env var, which need not mean "on" (WORKER_NO_REPO_LOCK). */
  toggle(key: SwitchKey, fromEnv: Parse<boolean>): boolean;
  /** Whether the flag or the env var gave the option a value (its default does not count). */
  isGiven(key: OptionKey): boolean;
}

/** `flags` as yargs parsed them (keys are the OPTIONS keys); `env` as given, never process.env. */
export function optionSource(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): OptionSource {
  const given = (key: OptionKey): string | undefined => flagText(flags, key) ?? envText(env, key);
  return {
    value: (key, parse) => parseAs(key, given(key) ?? OPTIONS[key].default, parse),
    optional: (key, parse) => {
      const raw = given(key);
      return raw === undefined ? undefined : parseAs(key, raw, parse);
    },
    toggle: (key, fromEnv) => {
      const flag = flags[key];
      if (typeof flag === 'boolean') return flag;
      const raw = envText(env, key);
      return raw === undefined ? OPTIONS[key].default : parseAs(key, raw, fromEnv);
    },
    isGiven: (key) => given(key) !== undefined,
  };
}

function parseAs<T>(key: OptionKey, raw: string, parse: Parse<T>): T {
  try {
    return parse(raw);
  } catch (error) {
    if (error instanceof InvalidValue) throw ConfigError.invalid(key, error.value ?? raw, error.expected);
    throw error;
  }
}

function flagText(flags: Record<string, unknown>, key: OptionKey): string | undefined {
  const value = flags[key];
  if (value === undefined || typeof value === 'string') return value;
  // A flag given with no value: its parser rejects '' with the usual message.
  if (value === true) return '';
  throw ConfigError.negated(key);
}

// Container manifests and compose files render an unset optional value as an
// empty string, so empty means unset.
const envText = (env: NodeJS.ProcessEnv, key: OptionKey): string | undefined => env[specOf(key).env] || undefined;
