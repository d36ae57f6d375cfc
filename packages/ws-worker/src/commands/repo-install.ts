import { openRepo, type InstallOutcome, type Logger } from '@fleet/repo';
import type { Invocation } from '../util/cli.js';

type InstallInvocation = Extract<Invocation, { command: 'repo install' }>;

const SAID: Record<InstallOutcome, string> = {
  installed: 'built, verified and published to the shared repo',
  'lost-race': 'built here, but another worker published it first',
  materialized: 'already in the shared repo (materialized into the local cache)',
  'already-installed': 'already in the shared repo and the local cache',
};

/**
 * `ws-worker repo install SPEC…`: makes each adaptor version present in the
 * shared repo, one after another, through the same lock and checks a worker
 * uses. Exit 0 when all are there, 1 when any failed (each is tried).
 */
export async function repoInstallCommand(invocation: InstallInvocation, write: (text: string) => void, logger: Logger): Promise<number> {
  const { repoDir, cacheDir, lockRepo, installScripts, workerName } = invocation;
  const repo = openRepo({ repoDir, cacheDir, lockRepo, installScripts, workerId: workerName, logger });
  let failed = 0;
  try {
    for (const specifier of invocation.specifiers) {
      const started = performance.now();
      try {
        const { name, version, outcome } = await repo.ensure(specifier);
        write(`ok    ${name}@${version}: ${SAID[outcome]} (${((performance.now() - started) / 1000).toFixed(1)}s)\n`);
      } catch (error) {
        failed += 1;
        write(`FAIL  ${specifier}: ${(error as Error).message}\n`);
      }
    }
  } finally {
    await repo.close();
  }
  return failed === 0 ? 0 : 1;
}
