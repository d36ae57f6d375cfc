import npa from 'npm-package-arg';
import semver from 'semver';
import validatePackageName from 'validate-npm-package-name';
import { InvalidSpecifierError } from './errors.js';

/** A registry package with an exact version: the only thing the repo ever installs. */
export interface ExactSpecifier {
  kind: 'exact';
  name: string;
  version: string;
}

/** A dist-tag or range that must be resolved through the registry before installing. */
export interface OpenSpecifier {
  kind: 'tag' | 'range';
  name: string;
  selector: string;
}

export type Specifier = ExactSpecifier | OpenSpecifier;

// Deliberately narrower than what npm accepts: no whitespace and no shell or URL
// metacharacters, so a specifier can never smuggle a path, a URL or a command.
const SAFE_CHARACTERS = /^[A-Za-z0-9@/._^~+-]+$/;
const MAX_SPECIFIER_LENGTH = 256;
// Each part of a name (scope and bare name) starts with a letter or digit, which
// rules out `.`, `..` and hidden folders as path segments.
const NAME_PART = /^[a-z0-9][a-z0-9._-]*$/;

/** Parses and validates an adaptor specifier such as `@openfn/language-common@3.3.4`. */
export function parseSpecifier(specifier: string): Specifier {
  const refuse = (reason: string): never => {
    throw new InvalidSpecifierError(specifier, reason);
  };
  if (typeof specifier !== 'string' || specifier.length === 0) refuse('it is empty');
  if (specifier.length > MAX_SPECIFIER_LENGTH) refuse(`it is longer than ${MAX_SPECIFIER_LENGTH} characters`);
  if (!SAFE_CHARACTERS.test(specifier)) {
    refuse('only letters, digits and @ / . _ ^ ~ + - are allowed (no paths, URLs, spaces or shell characters)');
  }

  let parsed: npa.Result;
  try {
    parsed = npa(specifier);
  } catch (error) {
    return refuse((error as Error).message);
  }
  if (!parsed.name || !['version', 'tag', 'range'].includes(parsed.type)) {
    refuse(`only registry packages are installable, not a ${parsed.type} specifier`);
  }
  const name = parsed.name as string;
  assertValidName(specifier, name);

  const selector = parsed.fetchSpec ?? '';
  if (parsed.type === 'version') {
    return { kind: 'exact', name, version: selector };
  }
  // A bare name means "whatever `latest` points at", as it does for npm.
  if (parsed.rawSpec === '' || parsed.rawSpec === '*') {
    return { kind: 'tag', name, selector: 'latest' };
  }
  if (parsed.type === 'range' && !semver.validRange(selector)) refuse(`${selector} is not a semver range`);
  return { kind: parsed.type === 'tag' ? 'tag' : 'range', name, selector };
}

/** Parses a specifier and insists that it names one exact version. */
export function parseExactSpecifier(specifier: string): ExactSpecifier {
  const parsed = parseSpecifier(specifier);
  if (parsed.kind !== 'exact') {
    throw new InvalidSpecifierError(specifier, 'an exact version is required here (resolve tags and ranges first)');
  }
  return parsed;
}

function assertValidName(specifier: string, name: string): void {
  const validity = validatePackageName(name);
  if (!validity.validForNewPackages) {
    const problems = [...(validity.errors ?? []), ...(validity.warnings ?? [])];
    throw new InvalidSpecifierError(specifier, `bad package name: ${problems.join('; ')}`);
  }
  const parts = name.startsWith('@') ? name.slice(1).split('/') : [name];
  if (parts.length > 2 || !parts.every((part) => NAME_PART.test(part))) {
    throw new InvalidSpecifierError(specifier, 'each part of the name must start with a letter or digit');
  }
}
