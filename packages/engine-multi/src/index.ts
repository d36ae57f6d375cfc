export type { InstallLockOptions, LockEvent } from './util/repo-lock.js';
export { withInstallLock } from './util/repo-lock.js';
export type { LockOwner } from './util/lock-owner.js';
