import {
  adaptorDir,
  aliasFor,
  install,
  isInstalled,
  parseSpecifier,
  withInstallLock,
  type ExactSpecifier,
  type InstallLockOptions,
  type InstallOutcome,
  type Logger,
} from '@fleet/repo';
import { isJobStep, type ExecutionPlan, type JobStep, type LinkerEntry } from '@fleet/runtime';
import pLimit from 'p-limit';
import { AutoinstallError } from '../errors.js';
import type { AutoinstallEvents } from '../types.js';
import { createVersionLookup } from './version-lookup.js';

export interface AutoinstallOptions {
  /** Adaptor package names a plan may use; anything else fails the run. */
  whitelist: RegExp[];
  /** How many different adaptors this process installs at once. Default 2. */
  concurrency?: number;
  /** How long a dist-tag or range lookup is reused, in ms. Default 60 s. */
  versionCacheMs?: number;
  lock?: InstallLockOptions;
}

/** Where a run's autoinstall events go. */
export interface AutoinstallContext {
  emit<E extends keyof AutoinstallEvents>(event: E, payload: AutoinstallEvents[E]): void;
}

/** One queue entry: everything it needs is its own, never borrowed from another caller. */
export interface AutoinstallRequest {
  plan: ExecutionPlan;
  context: AutoinstallContext;
  repoDir: string;
  logger: Logger;
  useLock: boolean;
}

export type Autoinstall = (request: AutoinstallRequest) => Promise<ExecutionPlan>;

const DEFAULTS = { concurrency: 2, versionCacheMs: 60_000 };

/**
 * The engine-wide autoinstall queue. For each run it checks every adaptor
 * against the whitelist, resolves tags to exact versions, skips what is
 * installed (no lock, no npm), and installs the rest: runs needing the same
 * adaptor share one in-flight install, different adaptors install side by side
 * up to `concurrency`, and each install runs under the cross-worker lock when
 * the entry asks for it. Resolves to a copy of the plan whose job steps carry
 * linker entries pointing at the installed adaptors.
 */
export function createAutoinstall(options: AutoinstallOptions): Autoinstall {
  const { concurrency, versionCacheMs } = { ...DEFAULTS, ...options };
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`autoinstall concurrency must be a positive integer, got ${concurrency}`);
  }
  if (!(versionCacheMs >= 0)) throw new RangeError(`versionCacheMs must be zero or more, got ${versionCacheMs}`);
  // A global or sticky flag would make RegExp#test stateful across calls.
  const whitelist = options.whitelist.map((pattern) => new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')));
  const lookup = createVersionLookup({ ttlMs: versionCacheMs });
  const limit = pLimit(concurrency);
  const inFlight = new Map<string, Promise<InstallOutcome>>();

  const installOnce = async ({ repoDir, logger, useLock }: AutoinstallRequest, exact: ExactSpecifier): Promise<InstallOutcome> => {
    const alias = aliasOf(exact);
    const run = async (): Promise<InstallOutcome> => (await install(repoDir, `${exact.name}@${exact.version}`, { logger })).outcome;
    if (!useLock) return run();
    // Whoever held the lock before us may have installed it meanwhile.
    return withInstallLock(
      repoDir,
      alias,
      logger,
      async () => ((await isInstalled(repoDir, alias)) ? 'already-installed' : run()),
      options.lock,
    );
  };

  const ensureInstalled = (request: AutoinstallRequest, exact: ExactSpecifier): Promise<InstallOutcome> => {
    const key = `${request.repoDir}\0${aliasOf(exact)}`;
    let pending = inFlight.get(key);
    if (pending) {
      request.logger.debug(`${aliasOf(exact)} is already being installed for another run; waiting for it`);
    } else {
      pending = limit(() => installOnce(request, exact)).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  const prepare = async (request: AutoinstallRequest, specifier: string): Promise<ExactSpecifier> => {
    const { context, repoDir, logger } = request;
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const asked = parseSpecifier(specifier);
    let exact: ExactSpecifier | undefined;
    try {
      exact = await lookup(specifier);
      if (await isInstalled(repoDir, aliasOf(exact))) return exact;
      const outcome = await ensureInstalled(request, exact);
      context.emit('autoinstall-complete', { module: exact.name, version: exact.version, duration: elapsed(), outcome });
      return exact;
    } catch (error) {
      const message = (error as Error).message;
      logger.error(`Failed to install adaptor ${specifier}: ${message}`);
      const version = exact?.version ?? (asked.kind === 'exact' ? asked.version : asked.selector);
      context.emit('autoinstall-error', { module: asked.name, version, duration: elapsed(), message });
      throw error;
    }
  };

  const assertAllowed = (specifiers: string[]): void => {
    const refused = specifiers.filter((specifier) => !whitelist.some((pattern) => pattern.test(nameOf(specifier))));
    if (refused.length > 0) {
      throw new AutoinstallError(
        `Adaptor${refused.length > 1 ? 's' : ''} not allowed on this worker: ${refused.join(', ')} (the whitelist is ${whitelist.join(', ') || 'empty'})`,
        refused,
      );
    }
  };

  return async (request) => {
    const jobs = request.plan.workflow.steps.filter(isJobStep);
    const specifiers = [...new Set(jobs.flatMap((job) => job.adaptors ?? []))];
    assertAllowed(specifiers);

    const settled = await Promise.allSettled(specifiers.map((specifier) => prepare(request, specifier)));
    const errors = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
    if (errors.length > 0) {
      const failed = specifiers.filter((_, i) => settled[i]?.status === 'rejected');
      const reasons = errors.map((error) => error.message).join('; ');
      throw new AutoinstallError(`Could not install ${failed.join(', ')}: ${reasons}`, failed, { cause: errors[0] });
    }
    const resolved = new Map(
      settled.map((result, i) => [specifiers[i] as string, (result as PromiseFulfilledResult<ExactSpecifier>).value]),
    );
    return withLinker(request.plan, request.repoDir, resolved);
  };
}

/** Throws InvalidSpecifierError (naming the specifier) for anything unsafe or malformed. */
const nameOf = (specifier: string): string => parseSpecifier(specifier).name;

const aliasOf = ({ name, version }: ExactSpecifier): string => aliasFor(`${name}@${version}`);

function withLinker(plan: ExecutionPlan, repoDir: string, resolved: Map<string, ExactSpecifier>): ExecutionPlan {
  const link = (job: JobStep): JobStep => {
    const linker: Record<string, LinkerEntry> = { ...job.linker };
    for (const specifier of job.adaptors ?? []) {
      const exact = resolved.get(specifier) as ExactSpecifier;
      linker[exact.name] = { path: adaptorDir(repoDir, aliasOf(exact)), version: exact.version };
    }
    return { ...job, linker };
  };
  return {
    ...plan,
    workflow: { ...plan.workflow, steps: plan.workflow.steps.map((step) => (isJobStep(step) ? link(step) : step)) },
  };
}
