import type { CheckResult, RepoCheck } from '@fleet/repo';
import type { Logger } from 'pino';

/** What `ws-worker check-repo` prints: one line per check, then the verdict. */
export function reportLines(result: RepoCheck): string[] {
  const width = Math.max(...result.checks.map((check) => check.name.length));
  const line = (check: CheckResult): string => `${check.ok ? 'ok  ' : 'WARN'}  ${check.name.padEnd(width)}  ${describe(check)}`;
  return [...result.checks.map(line), verdict(result)];
}

/** At start-up: one info line when every check is ok, else one warning per failed check. */
export function logRepoCheck(result: RepoCheck, logger: Logger): void {
  if (result.ok) {
    logger.info({ checks: result.checks }, `Repo dir check: ${verdict(result)}`);
    return;
  }
  for (const check of result.checks.filter((candidate) => !candidate.ok)) {
    logger.warn({ check: check.name, repoDir: result.repoDir }, `Repo dir check ${check.name}: ${describe(check)}`);
  }
}

const describe = ({ detail, fix }: CheckResult): string => (fix ? `${detail}. Fix: ${fix}` : detail);

function verdict({ repoDir, cacheDir, checks }: RepoCheck): string {
  const warnings = checks.filter((check) => !check.ok).length;
  const checked = cacheDir ? `${repoDir} and the cache ${cacheDir}` : repoDir;
  return warnings === 0
    ? `ok: all ${checks.length} checks of ${checked} passed`
    : `WARN: ${warnings} of ${checks.length} checks of ${checked} warn; fix them before workers share it`;
}
