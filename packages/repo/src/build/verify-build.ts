import { adaptorEntry } from '../adaptor-entry.js';
import { IncompleteBuildError } from '../errors.js';
import type { NpmResult } from '../npm.js';
import { readManifest } from '../util/read-manifest.js';
import type { ImportCheck } from './import-check.js';

// npm exits 0 when its tar extraction fails to write a file (a full disk): it only warns.
const WRITE_FAILURE = /^.*\b(TAR_ENTRY_ERROR|ENOSPC|EDQUOT|EIO)\b.*$/m;

/**
 * npm's exit code is not proof of a sound build. Before anything is packed, the
 * build in `dir` must be the package asked for, npm must have written every file
 * without complaint, every package npm reports as added must be in place with
 * its manifest intact, and the adaptor must import in a separate process.
 * Throws IncompleteBuildError saying what is wrong.
 */
export async function verifyBuild(dir: string, name: string, version: string, npm: NpmResult, importCheck: ImportCheck): Promise<void> {
  const specifier = `${name}@${version}`;
  const failedWrite = WRITE_FAILURE.exec(npm.stderr)?.[0] ?? WRITE_FAILURE.exec(npm.stdout)?.[0];
  if (failedWrite) throw new IncompleteBuildError(specifier, `npm could not write every file (${failedWrite.trim()})`);

  const manifest = await readManifest(dir);
  if (!manifest) throw new IncompleteBuildError(specifier, `npm finished but the package is not where it should be (${dir})`);
  if (manifest.name !== name || manifest.version !== version) {
    throw new IncompleteBuildError(specifier, `npm installed ${String(manifest.name)}@${String(manifest.version)} instead`);
  }

  for (const added of reportedPackages(specifier, npm.stdout)) {
    const found = await readManifest(added.path);
    if (!found || found.name !== added.name || (added.version !== undefined && found.version !== added.version)) {
      throw new IncompleteBuildError(specifier, `${added.name}@${added.version ?? '?'}, which npm reports as installed, is missing or damaged at ${added.path}`);
    }
  }

  try {
    await importCheck(await adaptorEntry(dir));
  } catch (error) {
    throw new IncompleteBuildError(specifier, (error as Error).message);
  }
}

interface Added {
  name: string;
  version?: string;
  path: string;
}

// `npm install --json` prints { "add": [{ name, version, path }, ...], ... }.
function reportedPackages(specifier: string, stdout: string): Added[] {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    throw new IncompleteBuildError(specifier, 'npm did not report what it installed (its --json output is not JSON)');
  }
  const added = (report as { add?: unknown } | null)?.add;
  if (!Array.isArray(added)) throw new IncompleteBuildError(specifier, 'npm did not report what it installed (no "add" list)');
  return added.filter(
    (item): item is Added => typeof item?.name === 'string' && typeof item?.path === 'string' && (item.version === undefined || typeof item.version === 'string'),
  );
}
