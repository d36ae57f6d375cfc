import type { Logger } from 'pino';
import { maskSecrets } from './util/mask-secrets.js';
import type { WorkerConfig } from './util/worker-config.js';

/**
 * Starts the worker with a validated configuration. The server and the Lightning
 * client plug in here; until they exist it only reports the effective configuration.
 */
export async function startWorker(config: WorkerConfig, logger: Logger): Promise<void> {
  logger.info({ config: maskSecrets(config) }, 'ws-worker configuration');
}
