import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { JOB_PERMISSIONS, type JobPermission } from '@fleet/engine-multi';
import { MAX_PAYLOAD_LIMIT_MB } from '@fleet/lightning-protocol';
import { parseSpecifier } from '@fleet/repo';
import os from 'node:os';
import path from 'node:path';

/**
 * Thrown by a parser: `value` (the whole raw text unless a part of it is named)
 * is not `expected`. The option reader turns it into a ConfigError naming the option.
 */
export class InvalidValue extends Error {
  override name = 'InvalidValue';
  constructor(
    readonly expected: string,
    readonly value?: string,
  ) {
    super(`not ${expected}`);
  }
}

/** Raw text from a flag, an env var or a default, to a typed value; throws InvalidValue. */
export type Parse<T> = (raw: string) => T;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Plain digits only: Number() would also take '', ' 5', '1e3', '0x10' and '-0'.
const INTEGER = /^\d+$/;
const DECIMAL = /^(\d+\.?\d*|\.\d+)$/;

// Node's timers fire at once for delays past 2^31-1 ms, so a huge timeout would
// behave like no wait at all.
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs one worker executes at once, at most. Each is a process of its own (500 MB
 * by default) and each slot claims while it is free: past this, scale out.
 */
export const MAX_CAPACITY = 100;

const integerIn =
  (min: number, max: number, expected: string): Parse<number> =>
  (raw) => {
    const value = Number(raw);
    if (!INTEGER.test(raw) || value < min || value > max) throw new InvalidValue(expected);
    return value;
  };

export const positiveInteger = integerIn(1, Number.MAX_SAFE_INTEGER, 'a positive integer');

/** One claim loop: the queues it claims from, in priority order (`*`: any), and the runs it executes at once. */
export interface WorkloopSpec {
  queues: string[];
  capacity: number;
}

const WORKLOOPS_EXPECTED = 'space-separated loops <queues>:<count> such as "manual>*:2 *:3" (queue names of letters, digits and _, joined by >, with * only last)';

/** `manual>*:2 *:3`: the reference worker's syntax. */
export function workloopList(raw: string): WorkloopSpec[] {
  const tokens = raw.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw new InvalidValue(WORKLOOPS_EXPECTED);
  return tokens.map((token) => {
    const [, names = '', count = ''] = /^([^:]+):(\d+)$/.exec(token) ?? [];
    const queues = names.split('>');
    const valid = Number(count) >= 1 && queues.every((name, i) => /^\w+$/.test(name) || (name === '*' && i === queues.length - 1));
    if (!valid) throw new InvalidValue(WORKLOOPS_EXPECTED, token);
    return { queues, capacity: Number(count) };
  });
}

export const capacity = integerIn(1, MAX_CAPACITY, `a whole number of runs from 1 to ${MAX_CAPACITY}`);

export const port = integerIn(0, 65535, 'an integer port from 0 to 65535');

export const batchInterval = integerIn(1, 60_000, 'a whole number of ms from 1 to 60000');

export const batchLimit = integerIn(1, 1000, 'a whole number of lines from 1 to 1000');

/** A payload limit in MB: Lightning refuses frames over 11,000,000 bytes, so no more than MAX_PAYLOAD_LIMIT_MB. */
export function payloadLimitMb(raw: string): number {
  const value = Number(raw);
  if (!DECIMAL.test(raw) || !(value > 0) || value > MAX_PAYLOAD_LIMIT_MB) throw new InvalidValue(`a number of MB above 0 and at most ${MAX_PAYLOAD_LIMIT_MB}`);
  return value;
}

/** Plain decimal seconds to whole ms; undefined for anything else. */
const toMs = (raw: string): number | undefined => (DECIMAL.test(raw) ? Math.round(Number(raw) * 1000) : undefined);

const secondsAsMs =
  (minMs: number, expected: string): Parse<number> =>
  (raw) => {
    const ms = toMs(raw);
    if (ms === undefined || ms < minMs || ms > MAX_TIMER_MS) throw new InvalidValue(expected);
    return ms;
  };

export const positiveSecondsAsMs = secondsAsMs(1, `a number of seconds from 0.001 to ${MAX_TIMER_MS / 1000}`);

export const secondsAsMsOrZero = secondsAsMs(0, `a number of seconds from 0 to ${MAX_TIMER_MS / 1000}`);

/** The URL `raw` names, when it parses and has one of the protocols; otherwise InvalidValue(expected). */
function urlWith(raw: string, protocols: string[], expected: string): URL {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || !protocols.includes(url.protocol)) throw new InvalidValue(expected);
  return url;
}

/** An http(s) URL, without a trailing slash. */
export function httpUrl(raw: string): string {
  urlWith(raw, ['http:', 'https:'], 'an http:// or https:// URL');
  return raw.replace(/\/+$/, '');
}

/** An exact version or a dist-tag, as npm takes it after `@`. */
export function versionOrTag(raw: string): string {
  if (!/^[\w.+-]+$/.test(raw)) throw new InvalidValue('a version such as 1.2.3 or a dist-tag such as latest');
  return raw;
}

/** A Sentry DSN: http(s)://<public key>@<host>/<project id>. */
export function sentryDsn(raw: string): string {
  const expected = 'a Sentry DSN such as https://<key>@o0.ingest.sentry.io/<project>';
  const { username, pathname } = urlWith(raw, ['http:', 'https:'], expected);
  if (username === '' || !/^\/\d+$/.test(pathname)) throw new InvalidValue(expected);
  return raw;
}

export function websocketUrl(raw: string): string {
  urlWith(raw, ['ws:', 'wss:'], 'a ws:// or wss:// URL');
  return raw;
}

export function backoff(raw: string): { minMs: number; maxMs: number } {
  const parts = raw.split('/');
  const [minMs, maxMs] = parts.map(toMs);
  const valid = parts.length === 2 && minMs !== undefined && maxMs !== undefined;
  if (!valid || minMs < 1 || minMs > maxMs || maxMs > MAX_TIMER_MS) {
    throw new InvalidValue('"min/max" seconds with 0 < min <= max');
  }
  return { minMs, maxMs };
}

export function logLevel(raw: string): LogLevel {
  const level = LOG_LEVELS.find((name) => name === raw);
  if (!level) throw new InvalidValue(`one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

export function nonEmpty(raw: string): string {
  if (raw === '') throw new InvalidValue('a non-empty value');
  return raw;
}

/** Items of a comma-separated list, without blanks; may be empty. */
export function commaList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function regexList(raw: string): RegExp[] {
  const sources = commaList(raw);
  // An empty list would refuse every adaptor, so every run would fail.
  if (sources.length === 0) throw new InvalidValue('a comma-separated list of at least one regular expression');
  return sources.map((source) => {
    try {
      return new RegExp(source);
    } catch (error) {
      throw new InvalidValue(`a valid regular expression (${regexReason(error)})`, source);
    }
  });
}

// V8 says "Invalid regular expression: /[a/: Unterminated character class"; the
// message already shows the source, so keep only the reason.
const regexReason = (error: unknown): string => String((error as Error).message).replace(/^.*: /, '');

/** A directory path, with a leading `~` expanded (env files do not do it) and made absolute. */
const DURATION_UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `45s`, `2w` to ms. A unit is required: a bare number is ambiguous. */
export function duration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(raw);
  if (!match) throw new InvalidValue('a duration such as 30d, 12h, 90m, 45s or 2w');
  return Math.round(Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number));
}

/** Adaptor specifiers, each one the repo accepts (`@openfn/language-http@7.2.10`, `@openfn/language-common@latest`). */
export function specifierList(raw: string): string[] {
  return commaList(raw).map((specifier) => {
    try {
      parseSpecifier(specifier);
      return specifier;
    } catch (error) {
      throw new InvalidValue(`a comma-separated list of adaptor specifiers (${(error as Error).message})`, specifier);
    }
  });
}

/** A file's path, to the secret it holds: its text without one trailing newline. */
export function secretFile(raw: string): string {
  let text: string;
  try {
    text = readFileSync(directory(raw), 'utf8');
  } catch (error) {
    throw new InvalidValue(`a readable file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new InvalidValue('a file holding a non-empty secret');
  return secret;
}

/** Permissions job code gets on top of the default. */
export function jobPermissions(raw: string): JobPermission[] {
  const items = commaList(raw);
  const unknown = items.find((item) => !(JOB_PERMISSIONS as readonly string[]).includes(item));
  if (unknown !== undefined) throw new InvalidValue(`one of ${JOB_PERMISSIONS.join(', ')}`, unknown);
  return items as JobPermission[];
}

/** Names of environment variables. */
export function envNames(raw: string): string[] {
  const items = commaList(raw);
  const bad = items.find((item) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(item));
  if (bad !== undefined) throw new InvalidValue('an environment variable name', bad);
  return items;
}

export function directory(raw: string): string {
  if (raw === '') throw new InvalidValue('a directory path');
  const expanded = raw === '~' || raw.startsWith('~/') ? path.join(os.homedir(), raw.slice(1)) : raw;
  return path.resolve(expanded);
}

const PEM_PUBLIC_KEY = /^-----BEGIN (RSA )?PUBLIC KEY-----\r?\n[\s\S]+\r?\n-----END \1PUBLIC KEY-----\s*$/;

/** Base64 of a PEM public key, to the PEM text. */
export function publicKeyPem(raw: string): string {
  const pem = Buffer.from(raw, 'base64').toString('utf8');
  // createPublicKey alone would also take a private key, which must never be
  // passed around as the public one.
  if (!PEM_PUBLIC_KEY.test(pem) || !isKey(pem)) throw new InvalidValue('the base64 of a PEM public key');
  return pem;
}

function isKey(pem: string): boolean {
  try {
    createPublicKey(pem);
    return true;
  } catch {
    return false;
  }
}

// A Map, not an object literal: a lookup must not find 'constructor' and friends.
const ENV_BOOLEANS = new Map([
  ['true', true],
  ['1', true],
  ['false', false],
  ['0', false],
]);

/** An env var that turns something on: true/1 or false/0. */
export function envBoolean(raw: string): boolean {
  const value = ENV_BOOLEANS.get(raw.toLowerCase());
  if (value === undefined) throw new InvalidValue('one of true, 1, false, 0');
  return value;
}
