import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The package.json of a package folder, or undefined when it is missing or not JSON. */
export async function readManifest(dir: string): Promise<{ name?: unknown; version?: unknown } | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}
