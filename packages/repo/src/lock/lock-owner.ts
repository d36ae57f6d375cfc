import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';

/** Who holds an install lock, written beside it so operators and waiters can see. */
export interface LockOwner {
  host: string;
  pid: number;
  workerId?: string;
  /** What the holder does under the lock. Install and prune of one alias exclude each other alike. */
  purpose?: LockPurpose;
  /** The holder's own wall clock: for people to read, never compared with another clock. */
  acquiredAt: string;
  /** Unique per acquisition, so a holder never removes a record written by whoever took over. */
  token: string;
}

export type LockPurpose = 'install' | 'prune';

export const newOwner = (workerId: string | undefined, purpose: LockPurpose): LockOwner => ({
  host: os.hostname(),
  pid: process.pid,
  ...(workerId ? { workerId } : {}),
  purpose,
  acquiredAt: new Date().toISOString(),
  token: randomUUID(),
});

/** Written to a temp file and renamed, so a reader sees a whole record or none. */
export async function writeOwner(file: string, owner: LockOwner): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(owner));
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}

export async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** Removes the record only if it is still ours. */
export async function removeOwner(file: string, owner: LockOwner): Promise<void> {
  if ((await readOwner(file))?.token === owner.token) await rm(file, { force: true });
}

export const describeOwner = (owner: LockOwner | undefined): string =>
  owner
    ? `${owner.workerId ? `worker ${owner.workerId}, ` : ''}pid ${owner.pid} on ${owner.host}${owner.purpose === 'prune' ? ' (pruning)' : ''}, since ${owner.acquiredAt}`
    : 'an unknown holder';

/** Whether the holder is a process on THIS host that no longer exists. */
export function ownerIsGone(owner: LockOwner, isAlive: (pid: number) => boolean): boolean {
  return owner.host === os.hostname() && !isAlive(owner.pid);
}
