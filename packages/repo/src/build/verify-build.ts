import { adaptorEntry } from '../adaptor-entry.js';
import { IncompleteBuildError, NpmError } from '../errors.js';
import type { NpmResult, NpmRunner } from '../npm.js';
import { readManifest } from '../util/read-manifest.js';
import type { ImportCheck } from './import-check.js';

// npm exits 0 when its tar extraction fails to write a file (a full disk): it only warns.
const WRITE_FAILURE = /^.*\b(TAR_ENTRY_ERROR|ENOSPC|EDQUOT|EIO)\b.*$/m;

/**
 * npm's exit code is not proof of a sound build. Before anything is packed, the
 * build in `dir` must be the package asked for, npm must have written every file
 * without complaint, npm's own check of the installed tree (`npm ls --all`: every
 * dependency in place, with a readable manifest of a version that satisfies its
 * range) must pass, and the adaptor must import in a separate process. Throws
 * IncompleteBuildError saying what is wrong.
 */
export async function verifyBuild(build: { stage: string; dir: string }, name: string, version: string, installed: NpmResult, checks: BuildChecks): Promise<void> {
  const specifier = `${name}@${version}`;
  const failedWrite = WRITE_FAILURE.exec(installed.stderr)?.[0] ?? WRITE_FAILURE.exec(installed.stdout)?.[0];
  if (failedWrite) throw new IncompleteBuildError(specifier, `npm could not write every file (${failedWrite.trim()})`);

  const manifest = await readManifest(build.dir);
  if (!manifest) throw new IncompleteBuildError(specifier, `npm finished but the package is not where it should be (${build.dir})`);
  if (manifest.name !== name || manifest.version !== version) {
    throw new IncompleteBuildError(specifier, `npm installed ${String(manifest.name)}@${String(manifest.version)} instead`);
  }

  try {
    await checks.npm(['ls', '--global', '--prefix', build.stage, '--all', '--json'], { cwd: build.stage });
  } catch (error) {
    if (!(error instanceof NpmError)) throw error;
    const problems = error.stderr.split('\n').flatMap((line) => /^npm error ((missing|invalid|extraneous)\b.*)$/.exec(line.trim())?.[1] ?? []);
    throw new IncompleteBuildError(specifier, `npm ls finds the installed tree incomplete (${problems.slice(0, 3).join('; ') || error.message})`);
  }

  try {
    await checks.importCheck(await adaptorEntry(build.dir));
  } catch (error) {
    throw new IncompleteBuildError(specifier, (error as Error).message);
  }
}

export interface BuildChecks {
  npm: NpmRunner;
  importCheck: ImportCheck;
}
