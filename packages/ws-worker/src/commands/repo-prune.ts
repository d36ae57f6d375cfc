import { prune, type Logger } from '@fleet/repo';
import type { Invocation } from '../util/cli.js';
import { formatBytes } from '../util/format.js';

type PruneInvocation = Extract<Invocation, { command: 'repo prune' }>;

/** `ws-worker repo prune --unused-for D`: one line per version removed or skipped, then a summary. Exit 0. */
export async function repoPruneCommand(invocation: PruneInvocation, write: (text: string) => void, logger: Logger): Promise<number> {
  const { repoDir, unusedForMs, dryRun, legacy, lockRepo, workerName } = invocation;
  const result = await prune(repoDir, { unusedForMs, dryRun, legacy, lock: lockRepo, lockOptions: { workerId: workerName }, logger });
  const verb = dryRun ? 'would remove' : 'removed';
  for (const { alias, lastUsedAt, bytes } of result.removed) write(`${verb}  ${alias}  ${formatBytes(bytes)}, last used ${lastUsedAt}\n`);
  for (const { alias, reason } of result.skipped) write(`kept     ${alias}: ${reason}\n`);
  for (const orphan of result.orphans) write(`${verb}  ${orphan} (left by an interrupted publish)\n`);
  if (result.legacyRemoved) write(`${verb}  node_modules/ and package.json of the layout before archives\n`);
  const bytes = result.removed.reduce((sum, removed) => sum + removed.bytes, 0);
  write(`${dryRun ? 'Dry run: would remove' : 'Removed'} ${result.removed.length} version(s), ${formatBytes(bytes)}; kept ${result.skipped.length} that were busy or used meanwhile\n`);
  return 0;
}
