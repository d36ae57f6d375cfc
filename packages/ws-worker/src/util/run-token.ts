import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { RunTokenError } from '../errors.js';

/** Resolves when `token` is Lightning's token for `runId`; rejects with RunTokenError otherwise. */
export type VerifyRunToken = (runId: string, token: string) => Promise<void>;

const ISSUER = 'Lightning';
// Lightning's clock and the worker's may disagree a little about `nbf` and `exp`.
const CLOCK_TOLERANCE_S = 5;

// Only the algorithms of the key's own type: a token cannot pick a weaker one.
const ALGORITHMS: Record<string, string[]> = {
  rsa: ['RS256', 'RS384', 'RS512'],
  'rsa-pss': ['PS256', 'PS384', 'PS512'],
  ec: ['ES256', 'ES384', 'ES512'],
  ed25519: ['EdDSA', 'Ed25519'],
};

/**
 * Checks run tokens against Lightning's public key (PEM): signed by that key,
 * issued by Lightning, within its validity, and for this very run (a token of
 * another run does not open this one).
 */
export function runTokenVerifier(publicKeyPem: string): VerifyRunToken {
  const key: KeyObject = createPublicKey(publicKeyPem);
  const algorithms = ALGORITHMS[key.asymmetricKeyType ?? ''] ?? [];
  return async (runId, token) => {
    let id: unknown;
    try {
      ({ payload: { id } } = await jwtVerify(token, key, { issuer: ISSUER, clockTolerance: CLOCK_TOLERANCE_S, algorithms }));
    } catch (error) {
      throw new RunTokenError(runId, error instanceof errors.JOSEError ? error.message : String(error));
    }
    if (id !== runId) throw new RunTokenError(runId, `it was issued for run ${String(id)}`);
  };
}
