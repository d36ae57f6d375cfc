import { createPrivateKey, type KeyObject } from 'node:crypto';
import { InvalidOptionsError } from './errors.js';
import { silentLogger, type Logger } from '@fleet/runtime';

export interface LightningMockOptions {
  /** Port for HTTP and the websocket; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** The shared worker secret. When set, worker tokens must be HS256 JWTs signed with it. */
  secret?: string;
  /** RSA private key (PEM, or base64 of a PEM) to sign run tokens with RS256. */
  runPrivateKey?: string;
  logger?: Logger;
  /**
   * How long a run may stay without a connected worker after that worker's socket
   * closed before it is marked `lost`. 0 (the default) marks it at once; raise it to
   * let a worker's reconnect-and-rejoin carry on with the run.
   */
  lostGraceMs?: number;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  secret: string | undefined;
  runPrivateKey: KeyObject | undefined;
  logger: Logger;
  lostGraceMs: number;
}

export function resolveOptions(options: LightningMockOptions = {}): ResolvedOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionsError(`port must be an integer from 0 to 65535, got ${String(options.port)}`);
  }
  const lostGraceMs = options.lostGraceMs ?? 0;
  if (!Number.isFinite(lostGraceMs) || lostGraceMs < 0) {
    throw new InvalidOptionsError(`lostGraceMs must be a number of milliseconds >= 0, got ${String(options.lostGraceMs)}`);
  }
  return {
    port,
    host: options.host || '127.0.0.1',
    // An empty WORKER_SECRET is an unset one, not a secret that every token fails.
    secret: options.secret || undefined,
    runPrivateKey: options.runPrivateKey ? parsePrivateKey(options.runPrivateKey) : undefined,
    logger: options.logger ?? silentLogger,
    lostGraceMs,
  };
}

/** Accepts PEM text or base64 of it, the form workers take their public key in. */
function parsePrivateKey(text: string): KeyObject {
  const pem = text.includes('-----BEGIN') ? text : Buffer.from(text, 'base64').toString('utf8');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new InvalidOptionsError(`runPrivateKey is not a PEM private key (or base64 of one): ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new InvalidOptionsError(`runPrivateKey must be an RSA key for RS256, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}
