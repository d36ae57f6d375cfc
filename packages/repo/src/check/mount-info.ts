import { readFile } from 'node:fs/promises';

/** One mount, as the kernel lists it in /proc/self/mountinfo. */
export interface Mount {
  mountPoint: string;
  fstype: string;
  /** What is mounted: a device, or for network filesystems the server's export (`host:/path`). */
  source: string;
  /** The mount's own options, then the filesystem's (where NFS shows `noac` or `acdirmax=…`), without repeats. */
  options: string[];
}

/** The text of /proc/self/mountinfo; undefined where there is none (not Linux). */
export const readMountInfo = (): Promise<string | undefined> => readFile('/proc/self/mountinfo', 'utf8').catch(() => undefined);

/**
 * Parses mountinfo (proc(5)): `id parent major:minor root mount-point options
 * [optional fields…] - fstype source super-options`. The optional fields vary in
 * number, so the fields after them are found from the ` - ` separator.
 */
export function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 4) continue;
    const [fstype, source, superOptions] = fields.slice(separator + 1);
    mounts.push({
      mountPoint: unescape(fields[4]),
      fstype: unescape(fstype),
      source: unescape(source),
      options: [...new Set(`${fields[5]},${superOptions}`.split(',').map(unescape))],
    });
  }
  return mounts;
}

/** The mount holding `file` (an absolute real path): the longest mount point containing it, the last mounted on a tie. */
export function mountOf(mounts: Mount[], file: string): Mount | undefined {
  let found: Mount | undefined;
  for (const mount of mounts) {
    const { mountPoint } = mount;
    const contains = mountPoint === '/' || file === mountPoint || file.startsWith(`${mountPoint}/`);
    if (contains && mountPoint.length >= (found?.mountPoint.length ?? 0)) found = mount;
  }
  return found;
}

// The kernel writes space, tab, newline and backslash in paths as octal escapes (`\040`).
const unescape = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
