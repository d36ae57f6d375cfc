import { aliasFor, parseSpecifier, type ExactSpecifier, type Logger, type Repo } from '@fleet/repo';
import { isJobStep, type ExecutionPlan, type JobStep, type LinkerEntry } from '@fleet/runtime';
import { AutoinstallError } from '../errors.js';
import type { AutoinstallEvents } from '../types.js';
import { createVersionLookup } from './version-lookup.js';

export interface AutoinstallOptions {
  /** The fleet's repo, opened once for this engine: every install goes through it. */
  repo: Repo;
  /** Adaptor package names a plan may use; anything else fails the run. */
  whitelist: RegExp[];
  /** How long a dist-tag or range lookup is reused, in ms. Default 60 s. */
  versionCacheMs?: number;
}

/** Where a run's autoinstall events go. */
export interface AutoinstallContext {
  emit<E extends keyof AutoinstallEvents>(event: E, payload: AutoinstallEvents[E]): void;
}

/** One queue entry: everything it needs is its own, never borrowed from another caller. */
export interface AutoinstallRequest {
  plan: ExecutionPlan;
  context: AutoinstallContext;
  logger: Logger;
}

export interface Autoinstall {
  /** Resolves to a copy of the plan whose job steps link to the adaptors, ready in the local cache. */
  forPlan(request: AutoinstallRequest): Promise<ExecutionPlan>;
  /** Makes adaptors ready before any run asks for them; resolves once every one is done or failed. */
  preload(specifiers: string[], logger: Logger): Promise<void>;
}

const DEFAULT_VERSION_CACHE_MS = 60_000;

/**
 * The engine-wide autoinstall queue. For each run it checks every adaptor
 * against the whitelist, resolves tags to exact versions, skips what the repo
 * has ready (no lock, no npm, no event), and asks the repo for the rest, which
 * shares one in-flight install per adaptor and bounds how many run at once.
 */
export function createAutoinstall(options: AutoinstallOptions): Autoinstall {
  const { repo, versionCacheMs = DEFAULT_VERSION_CACHE_MS } = options;
  if (!(versionCacheMs >= 0)) throw new RangeError(`versionCacheMs must be zero or more, got ${versionCacheMs}`);
  // A global or sticky flag would make RegExp#test stateful across calls.
  const whitelist = options.whitelist.map((pattern) => new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')));
  const lookup = createVersionLookup({ ttlMs: versionCacheMs });

  const prepare = async ({ context, logger }: Omit<AutoinstallRequest, 'plan'>, specifier: string): Promise<ExactSpecifier> => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const asked = parseSpecifier(specifier);
    let exact: ExactSpecifier | undefined;
    try {
      exact = await lookup(specifier);
      if (await repo.isReady(aliasOf(exact))) return exact;
      const { outcome } = await repo.ensure(`${exact.name}@${exact.version}`, { logger });
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

  const prepareAll = async (request: Omit<AutoinstallRequest, 'plan'>, specifiers: string[]): Promise<Map<string, ExactSpecifier>> => {
    assertAllowed(specifiers);
    const settled = await Promise.allSettled(specifiers.map((specifier) => prepare(request, specifier)));
    const errors = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
    if (errors.length > 0) {
      const failed = specifiers.filter((_, i) => settled[i]?.status === 'rejected');
      const reasons = errors.map((error) => error.message).join('; ');
      throw new AutoinstallError(`Could not install ${failed.join(', ')}: ${reasons}`, failed, { cause: errors[0] });
    }
    return new Map(settled.map((result, i) => [specifiers[i] as string, (result as PromiseFulfilledResult<ExactSpecifier>).value]));
  };

  return {
    async forPlan(request) {
      const jobs = request.plan.workflow.steps.filter(isJobStep);
      const specifiers = [...new Set(jobs.flatMap((job) => job.adaptors ?? []))];
      return withLinker(request.plan, repo, await prepareAll(request, specifiers));
    },
    async preload(specifiers, logger) {
      await prepareAll({ context: { emit: () => undefined }, logger }, [...new Set(specifiers)]);
    },
  };
}

/** Throws InvalidSpecifierError (naming the specifier) for anything unsafe or malformed. */
const nameOf = (specifier: string): string => parseSpecifier(specifier).name;

const aliasOf = ({ name, version }: ExactSpecifier): string => aliasFor(`${name}@${version}`);

function withLinker(plan: ExecutionPlan, repo: Repo, resolved: Map<string, ExactSpecifier>): ExecutionPlan {
  const link = (job: JobStep): JobStep => {
    const linker: Record<string, LinkerEntry> = { ...job.linker };
    for (const specifier of job.adaptors ?? []) {
      const exact = resolved.get(specifier) as ExactSpecifier;
      linker[exact.name] = { path: repo.adaptorPath(aliasOf(exact)), version: exact.version };
    }
    return { ...job, linker };
  };
  return {
    ...plan,
    workflow: { ...plan.workflow, steps: plan.workflow.steps.map((step) => (isJobStep(step) ? link(step) : step)) },
  };
}
