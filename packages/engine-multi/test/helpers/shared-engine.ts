import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { startRegistry } from '@fleet/local-registry';
import { createEngine, type Engine, type EngineOptions } from '../../src/index.js';

/**
 * One engine for a whole test file: real run processes, adaptors from a local
 * registry into a fresh repo, all stopped and removed after the file. `env` is
 * set in this process before the engine starts (what run processes may be given).
 */
export function sharedEngine(options: Partial<EngineOptions> = {}, env: Record<string, string> = {}): () => Engine {
  let engine: Engine | undefined;
  let root: string | undefined;
  let stopRegistry: (() => Promise<void>) | undefined;
  test.before(async () => {
    const registry = await startRegistry();
    stopRegistry = () => registry.stop();
    Object.assign(process.env, registry.env, env);
    root = await mkdtemp(path.join(os.tmpdir(), 'fleet-engine-'));
    engine = createEngine({
      repoDir: path.join(root, 'repo'),
      cacheDir: path.join(root, 'cache'),
      whitelist: [/^@fleet-fixtures\//],
      capacity: 2,
      runTimeoutMs: 20_000,
      ...options,
    });
  });
  test.after.always(async () => {
    await engine?.destroy();
    await stopRegistry?.();
    if (root) await rm(root, { recursive: true, force: true });
  });
  return () => {
    if (!engine) throw new Error('The shared engine is used before test.before ran');
    return engine;
  };
}
