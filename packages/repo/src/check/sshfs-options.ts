import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Mount } from './mount-info.js';

// sshfs's caches live in the sshfs process, not in the kernel: its cache options
// never appear in mountinfo. The process's command line shows them, when the
// process runs in this PID namespace (not, say, inside a CSI driver's pod).

/** An sshfs process serving a mount, and the `-o` options it was started with. */
export interface SshfsDaemon {
  pid: number;
  options: string[];
}

interface Process {
  pid: number;
  argv: string[];
}

/** The sshfs process serving `mount`, if one is visible in `procDir`. */
export async function findSshfsDaemon(mount: Mount, procDir = '/proc'): Promise<SshfsDaemon | undefined> {
  const processes = await sshfsProcesses(procDir);
  const serving = processes.filter(({ argv }) => argv.includes(mount.source));
  // Given a relative mount point, sshfs's arguments do not name the absolute one:
  // then the only process serving this source is the one.
  const daemon =
    serving.find(({ argv }) => argv.some((arg) => path.isAbsolute(arg) && path.resolve(arg) === mount.mountPoint)) ??
    (serving.length === 1 ? serving[0] : undefined);
  return daemon && { pid: daemon.pid, options: sshfsOptions(daemon.argv) };
}

/** The options sshfs reads from `-o a,b` and `-oa,b`. */
export function sshfsOptions(argv: string[]): string[] {
  return argv.flatMap((arg, i) => {
    const value = arg === '-o' ? argv[i + 1] : arg.startsWith('-o') ? arg.slice(2) : undefined;
    return value === undefined ? [] : value.split(',');
  });
}

async function sshfsProcesses(procDir: string): Promise<Process[]> {
  const pids = (await readdir(procDir).catch(() => [])).filter((name) => /^\d+$/.test(name));
  const processes = await Promise.all(
    pids.map(async (pid) => {
      // Processes come and go, and others' may be unreadable: skip those.
      const cmdline = await readFile(path.join(procDir, pid, 'cmdline'), 'utf8').catch(() => '');
      return { pid: Number(pid), argv: cmdline.split('\0').filter((arg) => arg !== '') };
    }),
  );
  return processes.filter(({ argv }) => path.basename(argv[0] ?? '') === 'sshfs');
}
