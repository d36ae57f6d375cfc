import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from 'verdaccio';
import { npmEnv } from './npm-env.js';
import { publishFixtures } from './publish-fixtures.js';
import { countTarballRequests } from './tarball-counter.js';
import { offlineConfig } from './verdaccio-config.js';

export interface LocalRegistry {
  /** e.g. `http://127.0.0.1:43121/`, with the trailing slash. */
  url: string;
  /**
   * Variables to merge into a child's environment so its npm uses this registry alone,
   * with a cache of its own, no audit, fund or update checks, and no auth.
   */
  env: Record<string, string>;
  /**
   * Tarball downloads served so far, of all packages or of one (`@fleet-fixtures/adaptor-one`).
   * npm keeps tarballs in the registry's cache, so installing a version again downloads nothing.
   */
  tarballRequests(name?: string): number;
  /** Closes the server and removes its storage and npm cache. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Preload the packages listed in `fixtures`. Default true. */
  publishFixtures?: boolean;
  /** The address to listen on. Default 127.0.0.1; tests with hosts in network namespaces pass their bridge's address. */
  host?: string;
}

/** Starts a verdaccio registry on a free port (of 127.0.0.1 by default) with no uplinks: it never reaches the internet. */
export const startRegistry = async ({ publishFixtures: preload = true, host = '127.0.0.1' }: StartOptions = {}): Promise<LocalRegistry> => {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-local-registry-'));
  const removeDir = (): Promise<void> => rm(dir, { recursive: true, force: true, maxRetries: 3 });
  let server: Server;
  try {
    server = (await runServer(offlineConfig(join(dir, 'storage')))) as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
  } catch (error) {
    await removeDir();
    throw error;
  }

  const tarballs = countTarballRequests(server);
  const url = `http://${host}:${(server.address() as AddressInfo).port}/`;
  let stopping: Promise<void> | undefined;
  const registry: LocalRegistry = {
    url,
    env: await npmEnv(url, dir),
    tarballRequests: tarballs.count,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // npm and fetch keep connections alive, which would hold close() open.
          server.closeAllConnections();
        });
        await removeDir();
      })()),
  };

  if (preload) {
    try {
      await publishFixtures(url);
    } catch (error) {
      await registry.stop();
      throw error;
    }
  }
  return registry;
};
