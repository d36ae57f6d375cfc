import { describeLockOwner, repoStatus, type RepoStatus } from '@fleet/repo';
import type { Invocation } from '../util/cli.js';
import { formatAge, formatBytes } from '../util/format.js';

type StatusInvocation = Extract<Invocation, { command: 'repo status' }>;

/** `ws-worker repo status [--json]`: what the shared repo and this host's cache hold. Exit 0; 1 when a version is unusable. */
export async function repoStatusCommand({ repoDir, cacheDir, json }: StatusInvocation, write: (text: string) => void): Promise<number> {
  const status = await repoStatus(repoDir, cacheDir);
  write(json ? `${JSON.stringify(status, null, 2)}\n` : `${statusLines(status).join('\n')}\n`);
  return status.adaptors.some((adaptor) => adaptor.problem) ? 1 : 0;
}

export function statusLines(status: RepoStatus): string[] {
  const lines = [`Shared repo ${status.repoDir}`];
  if (status.adaptors.length === 0) lines.push('  no adaptor versions yet');
  for (const { alias, entry, lastUsedAt, problem } of status.adaptors) {
    const described = entry
      ? `${formatBytes(entry.size)} (${entry.files} files, ${formatBytes(entry.unpackedSize)} unpacked), installed ${entry.installedAt} by ${installer(entry.installedBy)}, last used ${lastUsedAt}`
      : '';
    lines.push(`  ${problem ? 'BROKEN' : 'ok    '}  ${alias}  ${[described, problem].filter(Boolean).join('; ')}`);
  }
  lines.push(`  ${status.adaptors.length} version(s), ${formatBytes(status.archiveBytes)} in ${status.files} file(s)`);

  lines.push(status.locks.length === 0 ? 'Locks: none held' : 'Locks');
  for (const { alias, holder, heartbeatAgeMs } of status.locks) {
    lines.push(`  ${alias}  ${holder?.purpose ?? 'install'} by ${describeLockOwner(holder)}; heartbeat ${formatAge(heartbeatAgeMs)} ago`);
  }

  lines.push(status.staged.length === 0 ? 'Staging: empty' : 'Staging (attempts in progress, or left by interrupted ones; swept after an hour)');
  for (const { name, ageMs } of status.staged) lines.push(`  ${name}  ${formatAge(ageMs)} old`);
  if (status.orphanArchives.length > 0) {
    lines.push('Archives no entry names (repo prune removes them after an hour)');
    for (const { file, bytes, ageMs } of status.orphanArchives) lines.push(`  ${file}  ${formatBytes(bytes)}, ${formatAge(ageMs)} old`);
  }

  if (status.cache) {
    lines.push(`Local cache ${status.cache.cacheDir}: ${status.cache.adaptors} adaptor(s), ${formatBytes(status.cache.bytes)}`);
  }
  if (status.legacyFolders > 0) {
    lines.push(
      `Layout before archives: ${status.legacyFolders} adaptor folder(s) in ${status.repoDir}/node_modules, not used by this version; once no older worker uses this repo, remove them with ws-worker repo prune --unused-for 30d --legacy`,
    );
  }
  return lines;
}

const installer = ({ worker, host, pid }: { worker?: string; host: string; pid: number }): string =>
  `${worker ? `worker ${worker}, ` : ''}pid ${pid} on ${host}`;
