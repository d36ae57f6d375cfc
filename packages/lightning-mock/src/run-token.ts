import { createPublicKey, getRandomValues, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

const ISSUER = 'Lightning';
const LIFETIME = '2h';

export interface RunTokens {
  sign(runId: string): Promise<string>;
  /** True when the token is one this mock issued for exactly this run. */
  verify(token: string, runId: string): Promise<boolean>;
  /** The run a token this mock issued is for; undefined for any other token. */
  runOf(token: string): Promise<string | undefined>;
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

  const runOf = async (token: string): Promise<string | undefined> => {
    try {
      const { payload } = await jwtVerify(token, verifyKey, { algorithms: [alg], issuer: ISSUER });
      return typeof payload.id === 'string' ? payload.id : undefined;
    } catch {
      return undefined;
    }
  };

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

    verify: async (token, runId) => (await runOf(token)) === runId,
    runOf,
  };
}
