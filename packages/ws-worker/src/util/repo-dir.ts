import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { ConfigError } from './config-error.js';

const REASONS = new Map([
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EEXIST', 'a file is in the way'],
  ['ENOTDIR', 'a file is in the way'],
  ['EROFS', 'read-only file system'],
]);

/**
 * Makes sure the shared repo or the local cache directory exists and that this
 * process can write into it, so a bad mount or permission stops start-up instead
 * of failing every run.
 */
export async function checkRepoDir(key: 'repo-dir' | 'cache-dir', dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    // Execute (search) permission too: without it no file inside can be created.
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw ConfigError.invalid(key, dir, `a readable and writable directory (${reason(error)})`);
  }
}

function reason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const known = code === undefined ? undefined : REASONS.get(code);
  return known ? `${known}, ${code}` : message;
}
