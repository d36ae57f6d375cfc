export { startWorker, type WorkerHandle, type WorkerOverrides } from './start.js';
export { HelpRequested, parseConfig } from './util/cli.js';
export { ConfigError } from './util/config-error.js';
export { maskSecrets, type LoggableConfig } from './util/mask-secrets.js';
export type { LogLevel } from './util/parse-value.js';
export { checkRepoDir } from './util/repo-dir.js';
export type { WorkerConfig } from './util/worker-config.js';
