// A separate installer process for multi-process tests: one process of one host.
// It ensures what the parent sends, through a repo opened with the given shared
// repo and cache, and answers with the outcome.
import { openRepo } from '../../src/index.js';
import type { InstallRequest } from './installers.js';

process.on('message', async ({ id, repoDir, cacheDir, specifier, lockRepo = false, installScripts = false }: InstallRequest & { id: number }) => {
  const repo = openRepo({ repoDir, cacheDir, lockRepo, installScripts, workerId: `installer-${process.pid}` });
  try {
    const { outcome, alias } = await repo.ensure(specifier);
    process.send?.({ id, ok: true, outcome, alias });
  } catch (error) {
    process.send?.({ id, ok: false, message: (error as Error).message });
  } finally {
    await repo.close();
  }
});
process.send?.({ ready: true });
