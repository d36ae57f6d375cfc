import { SignJWT } from 'jose';

/** The token a worker connects with: HS256 over the shared secret, as a worker signs it. */
export const workerToken = (secret: string, workerId = 'test-worker'): Promise<string> =>
  new SignJWT({ worker_id: workerId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setIssuer('urn:openfn:worker')
    .sign(new TextEncoder().encode(secret));
