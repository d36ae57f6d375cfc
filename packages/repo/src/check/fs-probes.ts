import { access, mkdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TARGET_TAKEN_CODES } from '../cache/publish-folder.js';
import type { CheckResult } from './check-repo.js';

// Probes of how the filesystem behaves, each in its own entry of a private folder.

export interface ProbeClock {
  /** Wall-clock ms. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

type Finding = Omit<CheckResult, 'name'>;

// A probe that cannot even run is a warning: it fails the same calls the lock or publishing makes.
async function probe(name: string, fix: string, run: () => Promise<Finding>): Promise<CheckResult> {
  try {
    return { name, ...(await run()) };
  } catch (error) {
    return { name, ok: false, detail: `the probe failed: ${(error as Error).message}`, fix };
  }
}

const UTIMES_FIX = "the lock's heartbeat sets a directory's mtime with utimes(2): put the repo dir on a filesystem that honours it";

// An odd second and a quarter: exact in binary, so a filesystem keeping sub-second
// times gives it back to the millisecond, one keeping whole (or 2-second) steps does not.
const FRACTIONAL_MTIME_MS = 1_700_000_001_250;

export const mtimeResolution = (dir: string): Promise<CheckResult> =>
  probe('mtime-resolution', UTIMES_FIX, async () => {
    const file = path.join(dir, 'mtime');
    await writeFile(file, '');
    const readBack = await stamp(file, FRACTIONAL_MTIME_MS);
    const lostMs = FRACTIONAL_MTIME_MS - readBack;
    const shown = `${iso(FRACTIONAL_MTIME_MS)} read back as ${iso(readBack)}`;
    if (lostMs === 0) return { ok: true, detail: `sub-second (${shown})` };
    if (lostMs > 0 && lostMs < 2000) {
      return { ok: true, detail: `whole seconds (${shown}): fine, the lock's heartbeat moves the mtime by at least 1 s each beat` };
    }
    return { ok: false, detail: `utimes(2) did not set the mtime (${shown})`, fix: UTIMES_FIX };
  });

// The longest kernel tick (HZ=100).
const KERNEL_TICK_MS = 10;

// A far-off clock is worth a line but no warning: nothing compares two clocks.
const NOTABLE_OFFSET_MS = 5000;

/**
 * Creating a file stamps the filesystem's clock (the server's, on a network
 * filesystem); this host's clock is read on both sides of the creation.
 */
export const clockOffset = (dir: string, { now }: ProbeClock): Promise<CheckResult> =>
  probe('clock-offset', 'let the worker create, stat and remove files in the repo dir', async () => {
    const file = path.join(dir, 'fresh');
    const before = now();
    await writeFile(file, '');
    const after = now();
    const { mtimeMs } = await stat(file);
    // A whole-second mtime is the filesystem's time cut down to its second (a
    // sub-second one lands on .000 once in a thousand, which only widens the margin).
    // Finer mtimes come from the kernel's coarse clock, up to a tick behind.
    const wholeSeconds = mtimeMs % 1000 === 0;
    const stepMs = wholeSeconds ? 1000 : KERNEL_TICK_MS;
    const offsetMs = Math.round(mtimeMs > after ? mtimeMs - after : mtimeMs + stepMs < before ? mtimeMs + stepMs - before : 0);
    const margin = `±${duration(after - before + stepMs)}${wholeSeconds ? ', whole-second mtimes' : ''}`;
    if (offsetMs === 0) return { ok: true, detail: `the filesystem's clock agrees with this host's (${margin})` };
    const offset = `the filesystem's clock is ${duration(Math.abs(offsetMs))} ${offsetMs > 0 ? 'ahead of' : 'behind'} this host's (${margin})`;
    if (Math.abs(offsetMs) <= NOTABLE_OFFSET_MS) return { ok: true, detail: offset };
    return {
      ok: true,
      detail: `${offset}: harmless, nothing compares the two (a waiter judges a lock stale by its own clock watching the heartbeat move; stale staging folders are aged by the filesystem's clock); only times in logs and lock owner records disagree`,
    };
  });

/**
 * The shared repo publishes by renaming files: an archive to a fresh name, then
 * its index entry into place (over an old entry that was found corrupt). Both
 * must work and show the new bytes at once.
 */
export const renameFile = (dir: string): Promise<CheckResult> =>
  probe('rename-file', 'publishing an adaptor renames a file within the repo dir: put the repo dir on a filesystem that supports rename(2)', async () => {
    const staged = path.join(dir, 'staged');
    const fresh = path.join(dir, 'fresh');
    await writeFile(staged, 'archive');
    await rename(staged, fresh);
    await writeFile(staged, 'new entry');
    const replaced = await rename(staged, fresh).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    if (replaced !== undefined) {
      return {
        ok: false,
        detail: `renaming a file onto an existing one fails with ${replaced}: an index entry found corrupt cannot be replaced, so that adaptor version stays unusable until its entry is removed by hand`,
        fix: 'put the repo dir on a filesystem whose rename(2) replaces an existing file (NFS, SMB, sshfs with posix-rename and local disks do)',
      };
    }
    const read = await readFile(fresh, 'utf8');
    if (read !== 'new entry') return { ok: false, detail: `a file renamed onto another one still reads as the old one (${JSON.stringify(read)})`, fix: 'mount the repo dir with attribute caching off (see filesystem)' };
    return { ok: true, detail: 'renaming a file to a fresh name and onto an existing one both work and show the new bytes at once' };
  });

/** Adding an adaptor to the local cache is one rename of its folder; losing a race must fail, never replace the winner. */
export const renameOntoNonEmpty = (dir: string): Promise<CheckResult> =>
  probe('rename-onto-non-empty', 'adding an adaptor to the cache is a rename(2) of a directory: put the cache dir on a filesystem that supports it', async () => {
    const source = path.join(dir, 'rename-source');
    const target = path.join(dir, 'rename-target');
    const kept = path.join(target, 'kept');
    await mkdir(source);
    await writeFile(path.join(source, 'new'), '');
    await mkdir(target);
    await writeFile(kept, '');
    const code = await rename(source, target).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    const intact = await access(kept).then(
      () => true,
      () => false,
    );
    if (code === undefined || !intact) {
      return {
        ok: false,
        detail: `renaming a directory onto a non-empty one ${code === undefined ? 'succeeded, replacing it' : `failed (${code}) yet emptied it`}: a process that loses a race would replace the adaptor another process of this host put into the cache, under its running jobs`,
        fix: 'put the cache dir on a local disk',
      };
    }
    if (!TARGET_TAKEN_CODES.has(code)) {
      return {
        ok: false,
        detail: `renaming a directory onto a non-empty one fails with ${code}, which the cache does not take for a lost race: the losing process fails its run (the winner's adaptor is fine)`,
        fix: `put the cache dir on a filesystem whose rename reports ${[...TARGET_TAKEN_CODES].join(', ')} here (local disks do)`,
      };
    }
    return { ok: true, detail: `renaming a directory onto a non-empty one fails with ${code} and leaves it intact: a lost race is recognised` };
  });

// The lock's shortest heartbeat is 1 s, which moves even a whole-second mtime; the
// margin keeps timer jitter from bringing the two stamps closer than that.
const HEARTBEAT_GAP_MS = 1100;

/** Stamps a directory's mtime twice, as the lock holder does, and checks that stat sees it move. */
export const heartbeat = (dir: string, { now, sleep }: ProbeClock): Promise<CheckResult> =>
  probe('heartbeat', UTIMES_FIX, async () => {
    const lockDir = path.join(dir, 'heartbeat');
    await mkdir(lockDir);
    const first = await stamp(lockDir, now());
    await sleep(HEARTBEAT_GAP_MS);
    const second = await stamp(lockDir, now());
    const stamped = `a directory's mtime, stamped twice ${duration(HEARTBEAT_GAP_MS)} apart`;
    if (second === first) {
      return { ok: false, detail: `${stamped}, stayed at ${iso(first)}: waiters would take every held lock for stale`, fix: UTIMES_FIX };
    }
    return {
      ok: true,
      detail: `${stamped}, moved by ${duration(second - first)} on this host (other hosts see it once their attribute cache expires: see filesystem)`,
    };
  });

/** Sets `file`'s mtime to `ms` as the lock's heartbeat does, and returns the mtime stat then shows. */
async function stamp(file: string, ms: number): Promise<number> {
  const time = new Date(ms);
  await utimes(file, time, time);
  return (await stat(file)).mtimeMs;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const duration = (ms: number): string => (Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
