import { rm } from 'node:fs/promises';
import { cacheStagingDir, stagedPackageDir } from '../layout.js';
import type { NpmRunner } from '../npm.js';
import { createStage } from '../staging.js';
import type { ImportCheck } from './import-check.js';
import { verifyBuild } from './verify-build.js';

export interface BuildOptions {
  /** npm runs in a stage of this LOCAL cache, never on the shared repo's filesystem. */
  cacheDir: string;
  name: string;
  version: string;
  alias: string;
  npm: NpmRunner;
  /** Run the packages' install scripts. Off by default: they would run with the worker's rights. */
  installScripts: boolean;
  importCheck: ImportCheck;
  signal?: AbortSignal;
}

/** A verified build: the adaptor's folder with its whole dependency tree, inside a stage the caller removes. */
export interface Build {
  stage: string;
  dir: string;
}

/** Installs one exact adaptor version with npm into a fresh local stage and verifies it (see verify-build.ts). */
export async function buildAdaptor({ cacheDir, name, version, alias, npm, installScripts, importCheck, signal }: BuildOptions): Promise<Build> {
  const stage = await createStage(cacheStagingDir(cacheDir), alias);
  try {
    const args = ['install', '--global', '--prefix', stage, '--no-audit', '--no-fund', '--no-update-notifier'];
    if (!installScripts) args.push('--ignore-scripts');
    const result = await npm([...args, `${name}@${version}`], { cwd: stage, ...(signal ? { signal } : {}) });
    const built = { stage, dir: stagedPackageDir(stage, name) };
    await verifyBuild(built, name, version, result, { npm, importCheck });
    return built;
  } catch (error) {
    await rm(stage, { recursive: true, force: true });
    throw error;
  }
}
