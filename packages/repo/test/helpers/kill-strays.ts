import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * SIGKILLs every process whose command line or working directory mentions
 * `marker` (a test's own temp folder). Killing one installer leaves its npm running as an orphan; killing
 * everything that works in the folder is what happens when a whole pod dies.
 */
export async function killStrays(marker: string): Promise<number> {
  let killed = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
    if (!commandLine.includes(marker) && !cwd.startsWith(marker)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
