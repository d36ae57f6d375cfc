import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger, type Logger } from './logger.js';
import { exists } from './util/exists.js';
import { aliasFor } from './alias.js';
import { ensureRepo } from './ensure-repo.js';
import { adaptorDir, stagedPackageDir } from './layout.js';
import { runNpm, type NpmRunner } from './npm.js';
import { publish } from './publish.js';
import { readIndex, syncIndex } from './repo-index.js';
import { resolveVersion } from './resolve-version.js';
import { createStage } from './staging.js';

export interface InstallOptions {
  logger?: Logger;
  signal?: AbortSignal;
  npm?: NpmRunner;
}

/**
 * - `installed`: this call ran npm and published the adaptor;
 * - `lost-race`: this call ran npm, but another installer published first;
 * - `repaired`: the folder was already published, only its index entry was missing;
 * - `already-installed`: nothing to do.
 */
export type InstallOutcome = 'installed' | 'lost-race' | 'repaired' | 'already-installed';

export interface InstallResult {
  name: string;
  version: string;
  alias: string;
  path: string;
  outcome: InstallOutcome;
}

/**
 * Installs one adaptor version into the repo, correctly even when other
 * processes install into the same repo at the same time and without any lock:
 * npm only ever runs in a private staging folder, and the finished adaptor (the
 * package with its own dependency tree inside it) is published with one rename.
 * Tags and ranges are resolved to an exact version first. Invalid specifiers and
 * unknown versions fail before anything is written to disk.
 */
export async function install(repoDir: string, specifier: string, options: InstallOptions = {}): Promise<InstallResult> {
  const { logger = silentLogger, signal, npm = runNpm } = options;
  const { name, version } = await resolveVersion(specifier, { npm, ...(signal ? { signal } : {}) });
  const alias = aliasFor(`${name}@${version}`);
  const finalDir = adaptorDir(repoDir, alias);
  const result = (outcome: InstallOutcome): InstallResult => ({ name, version, alias, path: finalDir, outcome });

  await ensureRepo(repoDir);
  if (await exists(path.join(finalDir, 'package.json'))) {
    const listed = (await readIndex(repoDir))?.dependencies[alias] !== undefined;
    if (listed) return result('already-installed');
    await syncIndex(repoDir);
    logger.info(`Repaired the index entry of ${alias} (its folder was already published)`);
    return result('repaired');
  }

  const stage = await createStage(repoDir, alias);
  const started = Date.now();
  try {
    logger.info(`Installing ${name}@${version}`);
    await npm(
      ['install', '--global', '--prefix', stage, '--no-audit', '--no-fund', '--no-update-notifier', `${name}@${version}`],
      { cwd: stage, ...(signal ? { signal } : {}) },
    );
    const built = stagedPackageDir(stage, name);
    await assertBuilt(built, name, version);
    const outcome = (await publish(built, finalDir)) === 'published' ? 'installed' : 'lost-race';
    await syncIndex(repoDir);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    logger.info(
      outcome === 'installed'
        ? `Installed ${alias} in ${seconds}s`
        : `${alias} was published by another installer first; discarded this copy after ${seconds}s`,
    );
    return result(outcome);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

// Guards against publishing something other than what was asked for (a registry
// answering with another version, or npm putting the package somewhere else).
async function assertBuilt(dir: string, name: string, version: string): Promise<void> {
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    throw new Error(`npm finished but ${name}@${version} is not where it should be (${dir})`);
  }
  if (manifest.name !== name || manifest.version !== version) {
    throw new Error(`npm installed ${String(manifest.name)}@${String(manifest.version)} instead of ${name}@${version}`);
  }
}
