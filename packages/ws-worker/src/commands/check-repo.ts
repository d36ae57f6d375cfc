import { checkRepo } from '@fleet/repo';
import type { RepoDirs } from '../util/cli.js';
import { reportLines } from '../util/repo-check-report.js';

/** `ws-worker check-repo`: exit 0 when every check is ok, 1 with warnings. */
export async function checkRepoCommand({ repoDir, cacheDir }: RepoDirs, write: (text: string) => void): Promise<number> {
  const result = await checkRepo(repoDir, { cacheDir });
  write(`${reportLines(result).join('\n')}\n`);
  return result.ok ? 0 : 1;
}
