import { decodeJwt, jwtVerify } from 'jose';

export interface WorkerIdentity {
  /** The `worker_id` claim, when the token carries one. */
  workerId: string | null;
}

/**
 * Checks the token a worker connects with. Without a configured secret any
 * token is let in (as Lightning's dev setups do), but it is still read for the
 * worker id so runs can be traced to a worker.
 * Resolves undefined when the token must be refused.
 */
export async function verifyWorkerToken(token: string, secret: string | undefined): Promise<WorkerIdentity | undefined> {
  if (!secret) {
    return { workerId: readWorkerId(token) };
  }
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    return { workerId: typeof payload.worker_id === 'string' ? payload.worker_id : null };
  } catch {
    return undefined;
  }
}

function readWorkerId(token: string): string | null {
  try {
    const workerId = decodeJwt(token).worker_id;
    return typeof workerId === 'string' ? workerId : null;
  } catch {
    return null;
  }
}
