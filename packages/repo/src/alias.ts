import semver from 'semver';
import { InvalidSpecifierError } from './errors.js';
import { parseExactSpecifier, type ExactSpecifier } from './specifier.js';

/**
 * `<name>_<version>`: the folder name of one installed adaptor version. Scoped
 * names keep their scope folder (`@openfn/language-common_3.3.4`).
 */
export function aliasFor(specifier: string): string {
  const { name, version } = parseExactSpecifier(specifier);
  return `${name}_${version}`;
}

/**
 * The inverse of `aliasFor`, and the gate every alias passes before a path is
 * built from it. Versions never contain `_`, so the last `_` splits the alias.
 */
export function parseAlias(alias: string): ExactSpecifier {
  const split = typeof alias === 'string' ? alias.lastIndexOf('_') : -1;
  const version = split > 0 ? alias.slice(split + 1) : '';
  if (!semver.valid(version)) {
    throw new InvalidSpecifierError(String(alias), 'an alias must look like <name>_<exact version>');
  }
  return parseExactSpecifier(`${alias.slice(0, split)}@${version}`);
}

/** Whether `name` is an alias (folders and files named otherwise are somebody else's). */
export function isAlias(name: string): boolean {
  try {
    parseAlias(name);
    return true;
  } catch {
    return false;
  }
}

/** The index entry a cache's package.json records for an alias. */
export function indexEntryFor(alias: string): string {
  const { name, version } = parseAlias(alias);
  return `npm:${name}@${version}`;
}
