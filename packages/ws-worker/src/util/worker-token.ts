import { SignJWT } from 'jose';

const ISSUER = 'urn:openfn:worker';

/**
 * The JWT a worker connects to Lightning with: HS256 over the shared worker
 * secret, naming the worker. It has no expiry, so the same token serves every
 * reconnect.
 */
export function signWorkerToken(secret: string, workerId: string): Promise<string> {
  return new SignJWT({ worker_id: workerId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setIssuedAt()
    .sign(new TextEncoder().encode(secret));
}
