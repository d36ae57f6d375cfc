/** A specifier or alias that we refuse to install, resolve or build a path from. */
export class InvalidSpecifierError extends Error {
  override name = 'InvalidSpecifierError';
  constructor(
    readonly specifier: string,
    reason: string,
  ) {
    super(`Invalid adaptor specifier ${JSON.stringify(specifier)}: ${reason}`);
  }
}

/** npm exited non-zero (or could not be started). Carries the tail of its stderr for the operator. */
export class NpmError extends Error {
  override name = 'NpmError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`npm ${args[0] ?? ''} failed (exit ${exitCode ?? 'signal'}): ${lastLines(stderr, 5) || 'no output'}`);
  }
}

/** No published version of a package matches what was asked for. */
export class VersionNotFoundError extends Error {
  override name = 'VersionNotFoundError';
  constructor(
    readonly specifier: string,
    detail: string,
  ) {
    super(`Cannot resolve ${specifier} to an exact version: ${detail}`);
  }
}

/** The final path of an adaptor exists but is not a complete adaptor folder. */
export class CorruptAdaptorError extends Error {
  override name = 'CorruptAdaptorError';
  constructor(readonly path: string) {
    super(`${path} exists but has no package.json; remove it so the adaptor can be installed again`);
  }
}

const lastLines = (text: string, count: number): string =>
  text
    .split('\n')
    .map((line) => line.trim())
    // npm's pointer to its debug log says nothing about the failure itself.
    .filter((line) => line && !line.includes('A complete log of this run'))
    .slice(-count)
    .join(' | ');

/** Writing to the shared repo failed (a full disk, a lost mount, permissions): nothing was published. */
export class RepoWriteError extends Error {
  override name = 'RepoWriteError';
  constructor(message: string, cause: unknown) {
    super(`${message}: ${(cause as Error)?.message ?? String(cause)}; nothing was published`, { cause });
  }
}

/** npm finished, but what it left behind is not a complete, importable adaptor. Nothing was published. */
export class IncompleteBuildError extends Error {
  override name = 'IncompleteBuildError';
  constructor(
    readonly specifier: string,
    reason: string,
  ) {
    super(`The build of ${specifier} is incomplete: ${reason}; nothing was published`);
  }
}

/** Writing into this host's local cache failed (a full disk, permissions): the adaptor is not there. */
export class CacheWriteError extends Error {
  override name = 'CacheWriteError';
  constructor(message: string, cause: unknown) {
    super(`${message}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}
