export { createLightningMock, type LightningMock } from './server.js';
export type { LightningMockOptions } from './options.js';
export type { DevApi, EnqueueOptions, WaitOptions } from './dev-api.js';
export type { MockEvents } from './events.js';
export { InvalidOptionsError, InvalidPlanError, MockClosedError, RunNotFoundError, RunTimeoutError } from './errors.js';
export { generateRunKeys, type RunKeyPair } from './keys.js';
export { silentLogger, type Logger } from '@fleet/runtime';
export { statusForReason } from './run-status.js';
export type * from './types.js';
