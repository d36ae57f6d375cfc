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
 * Makes sure the adaptor repo directory exists and that this process can install
 * into it, so a bad mount or permission stops start-up instead of failing every run.
 */
export async function checkRepoDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    // Execute (search) permission too: without it no file inside can be created.
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw ConfigError.invalid('repo-dir', dir, `a readable and writable directory (${reason(error)})`);
  }
}

function reason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const known = code === undefined ? undefined : REASONS.get(code);
  return known ? `${known}, ${code}` : message;
}
