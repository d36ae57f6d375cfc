import { createPublicKey, getRandomValues, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

const ISSUER = 'Lightning';
const LIFETIME = '2h';

export interface RunTokens {
  sign(runId: string): Promise<string>;
  /** True when the token is one this mock issued for exactly this run. */
  verify(token: string, runId: string): Promise<boolean>;
  /** PEM of the key workers verify with; only for RS256 tokens. */
  readonly publicKey: string | undefined;
}

/**
 * Run tokens: RS256 with the private key when one is given (what a worker
 * configured with the matching public key verifies), otherwise HS256 with the
 * worker secret. With neither, a random per-instance key keeps the tokens
 * checkable at run-channel join, so a join still proves the run was claimed.
 */
export function createRunTokens(privateKey: KeyObject | undefined, secret: string | undefined): RunTokens {
  const signingKey = privateKey ?? (secret ? new TextEncoder().encode(secret) : getRandomValues(new Uint8Array(32)));
  const verifyKey = privateKey ? createPublicKey(privateKey) : signingKey;
  const alg = privateKey ? 'RS256' : 'HS256';

  return {
    publicKey: privateKey ? createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() : undefined,

    sign: (runId) =>
      new SignJWT({ id: runId })
        .setProtectedHeader({ alg })
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime(LIFETIME)
        .sign(signingKey),

    async verify(token, runId) {
      try {
        const { payload } = await jwtVerify(token, verifyKey, { algorithms: [alg], issuer: ISSUER });
        return payload.id === runId;
      } catch {
        return false;
      }
    },
  };
}
