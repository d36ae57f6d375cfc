import type { WorkerProcess } from './worker-process.js';

/** Who installed what, and who had to wait for the install lock, from the workers' own log lines. */
export interface InstallReport {
  /** alias → names of the workers whose npm install published or lost the race for it. */
  installs: Record<string, string[]>;
  /** alias → names of the workers that waited for its install lock. */
  lockWaits: Record<string, string[]>;
}

// The repo's install and lock info lines (see repo src/install.ts and src/lock/repo-lock.ts).
const INSTALLED = /^Installed (\S+) in /;
const LOST_RACE = /^(\S+) was published by another installer first/;
const WAITING = /^Waiting for the install lock of (\S+), held by/;

export function installReport(workers: WorkerProcess[]): InstallReport {
  const report: InstallReport = { installs: {}, lockWaits: {} };
  for (const worker of workers) {
    for (const { msg } of worker.logs) {
      const installed = INSTALLED.exec(msg) ?? LOST_RACE.exec(msg);
      if (installed?.[1]) (report.installs[installed[1]] ??= []).push(worker.name);
      const waiting = WAITING.exec(msg);
      if (waiting?.[1]) (report.lockWaits[waiting[1]] ??= []).push(worker.name);
    }
  }
  return report;
}
