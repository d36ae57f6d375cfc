import { realpathSync } from 'node:fs';
import { engineCodeFolders } from './engine-code.js';

/** What job code may do beyond the default of reading its adaptors and using the network. */
export type JobPermission = 'child-process' | 'worker' | 'addons' | 'code-generation';

const GRANTS: Record<Exclude<JobPermission, 'code-generation'>, string> = {
  'child-process': '--allow-child-process',
  worker: '--allow-worker',
  addons: '--allow-addons',
};

export const JOB_PERMISSIONS: readonly JobPermission[] = [...(Object.keys(GRANTS) as JobPermission[]), 'code-generation'];

/**
 * Node's flags for a run process: the permission model on, file reads only of
 * the engine's code and the run's adaptor folders, no file writes, no child
 * processes, worker threads or native addons, and no code compiled from strings
 * (so a host `Function` that job code gets hold of cannot compile
 * `return process`), each unless `allow` names it.
 */
export function runProcessFlags(adaptorFolders: string[], allow: readonly JobPermission[]): string[] {
  const readable = [...engineCodeFolders(), ...adaptorFolders.flatMap((folder) => [...new Set([folder, realpathSync(folder)])])];
  const flags = ['--permission', ...readable.map((folder) => `--allow-fs-read=${folder}`)];
  // Node 25 and later deny the network under --permission unless it is granted; adaptors need it.
  if (process.allowedNodeEnvironmentFlags.has('--allow-net')) flags.push('--allow-net');
  for (const permission of allow) if (permission !== 'code-generation') flags.push(GRANTS[permission]);
  if (!allow.includes('code-generation')) flags.push('--disallow-code-generation-from-strings');
  return flags;
}

/** The environment of a run process: only the worker's variables that `names` lists. */
export function runProcessEnv(names: readonly string[], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(names.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
}
