import os from 'node:os';
import { ENGINE_DEFAULTS } from '@fleet/engine-multi';
import { DEFAULT_LOG_PAYLOAD_LIMIT_MB, DEFAULT_PAYLOAD_LIMIT_MB } from '@fleet/lightning-protocol';

/** How one worker option is spelled on the command line and in the environment. */
export interface OptionSpec {
  /** Other spellings of the flag; a single letter is a short flag. */
  alias?: string[];
  env: string;
  describe: string;
  /** How the env var reads in the help, when it is not simply the option's value. */
  envHelp?: string;
  /**
   * The default as raw text, parsed exactly like a flag or env value so a default
   * can never skip validation. A boolean marks an on/off switch.
   */
  default?: string | boolean;
}

/**
 * Every option the worker accepts. The keys are the flags, and the only keys the
 * configuration reads: the reader's types refuse any other name. A default the
 * engine or the protocol also has is taken from there, so it is stated once.
 */
export const OPTIONS = {
  lightning: {
    alias: ['l'],
    env: 'WORKER_LIGHTNING_SERVICE_URL',
    default: 'ws://localhost:4000/worker',
    describe: "Lightning's worker websocket endpoint (ws:// or wss://)",
  },
  secret: {
    alias: ['s'],
    env: 'WORKER_SECRET',
    describe: "Secret shared with Lightning, signs the worker's join token (this or --secret-file is required)",
  },
  'secret-file': {
    env: 'WORKER_SECRET_FILE',
    describe: 'File holding the secret (one trailing newline ignored): unlike a flag, not visible to other processes',
  },
  'lightning-public-key': {
    env: 'WORKER_LIGHTNING_PUBLIC_KEY',
    describe: "Base64 of Lightning's PEM public key, to verify run tokens (unset: not verified)",
  },
  'repo-dir': {
    alias: ['d'],
    env: 'WORKER_REPO_DIR',
    default: '~/.openfn/worker/repo',
    describe: 'The shared adaptor repo (one archive per adaptor version); a whole fleet may share it, also on NFS',
  },
  'cache-dir': {
    env: 'WORKER_CACHE_DIR',
    default: '~/.openfn/worker/cache',
    describe: "This host's local adaptor cache, on local disk: adaptors are built, extracted and imported here",
  },
  'cache-max-mb': {
    env: 'WORKER_CACHE_MAX_MB',
    default: '5000',
    describe: 'Size of the local cache in MB, above which the least recently used adaptors are evicted',
  },
  'install-scripts': {
    env: 'WORKER_INSTALL_SCRIPTS',
    envHelp: 'WORKER_INSTALL_SCRIPTS=true turns them on',
    default: false,
    describe: "Run adaptor packages' install scripts when building them (off: npm --ignore-scripts)",
  },
  preload: {
    env: 'WORKER_PRELOAD',
    describe: 'Comma-separated adaptor specifiers to make ready at start, before runs ask for them (unset: none)',
  },
  'repo-lock': {
    env: 'WORKER_NO_REPO_LOCK',
    envHelp: 'WORKER_NO_REPO_LOCK=true turns it off',
    default: true,
    describe: 'Take the cross-worker install lock in the repo dir; --no-repo-lock turns it off',
  },
  whitelist: {
    env: 'WORKER_ADAPTOR_WHITELIST',
    default: '^@openfn/',
    describe: 'Comma-separated regular expressions; only adaptor packages matching one may be installed',
  },
  'job-env': {
    env: 'WORKER_JOB_ENV',
    describe: "Comma-separated names of the worker's environment variables that job code may read (unset: none)",
  },
  'job-allow': {
    env: 'WORKER_JOB_ALLOW',
    describe: 'Comma-separated extra permissions of job code: child-process, worker, addons, code-generation (unset: none)',
  },
  port: {
    alias: ['p'],
    env: 'WORKER_PORT',
    default: '2222',
    describe: 'HTTP port for health checks (0 picks a free port)',
  },
  host: {
    env: 'WORKER_HOST',
    describe: 'Interface (address) the HTTP server listens on (unset: every interface)',
  },
  capacity: {
    env: 'WORKER_CAPACITY',
    default: String(ENGINE_DEFAULTS.capacity),
    describe: 'Runs executing at once (at most 100), claimed from the manual queue first, then any (manual>*); or give --workloops',
  },
  workloops: {
    env: 'WORKER_WORKLOOPS',
    describe: 'Claim loops, each with its queues in priority order and its runs at once, e.g. "manual>*:2 *:3" (unset: one loop, manual>*:<capacity>); not with --capacity',
  },
  'max-run-duration-seconds': {
    alias: ['t'],
    env: 'WORKER_MAX_RUN_DURATION_SECONDS',
    default: String(ENGINE_DEFAULTS.runTimeoutMs / 1000),
    describe: 'Time limit of one run, in seconds',
  },
  'run-memory': {
    env: 'WORKER_MAX_RUN_MEMORY_MB',
    default: String(ENGINE_DEFAULTS.memoryLimitMb),
    describe: 'Memory limit of one run, in MB',
  },
  'payload-limit-mb': {
    env: 'WORKER_MAX_PAYLOAD_MB',
    default: String(DEFAULT_PAYLOAD_LIMIT_MB),
    describe: "A step output or final state over this many MB is not sent to Lightning (DATACLIP_TOO_LARGE); at most 10, to fit Lightning's frame limit",
  },
  'log-payload-limit-mb': {
    env: 'WORKER_MAX_LOG_PAYLOAD_MB',
    default: String(DEFAULT_LOG_PAYLOAD_LIMIT_MB),
    describe: 'A log line over this many MB is replaced by a note saying so; at most 10',
  },
  'batch-logs': {
    env: 'WORKER_BATCH_LOGS',
    envHelp: 'WORKER_BATCH_LOGS=true turns it on',
    default: false,
    describe: 'Send log lines in batches (run:batch_logs) rather than one push per line',
  },
  'batch-interval': {
    env: 'WORKER_BATCH_INTERVAL',
    default: '10',
    describe: 'With --batch-logs: ms a batch waits for more lines before it is sent',
  },
  'batch-limit': {
    env: 'WORKER_BATCH_LIMIT',
    default: '50',
    describe: 'With --batch-logs: most lines in one batch',
  },
  'state-props-to-remove': {
    env: 'WORKER_STATE_PROPS_TO_REMOVE',
    default: ENGINE_DEFAULTS.statePropsToRemove.join(','),
    describe: "Comma-separated keys removed from every step's output state",
  },
  backoff: {
    env: 'WORKER_BACKOFF',
    default: '1/10',
    describe: 'Claim backoff "min/max" in seconds: the wait grows from min to max while no run is claimed',
  },
  'message-timeout': {
    env: 'WORKER_MESSAGE_TIMEOUT_SECONDS',
    default: '30',
    describe: 'Seconds to wait for Lightning to answer a message',
  },
  'claim-timeout': {
    env: 'WORKER_CLAIM_TIMEOUT_SECONDS',
    default: '3600',
    describe: 'Seconds to wait for Lightning to answer a claim',
  },
  'shutdown-timeout-seconds': {
    env: 'WORKER_SHUTDOWN_TIMEOUT_SECONDS',
    default: '60',
    describe: 'On SIGTERM, seconds in-flight runs get to finish before they are killed (0: none)',
  },
  'worker-name': {
    env: 'WORKER_NAME',
    default: os.hostname(),
    describe: 'Name this worker gives Lightning when it claims runs',
  },
  'collections-url': {
    env: 'WORKER_COLLECTIONS_URL',
    describe: "Lightning's collections API, e.g. https://app.openfn.org/collections: jobs that use collections get the collections adaptor and their run's token for it (unset: collections off)",
  },
  'collections-version': {
    env: 'WORKER_COLLECTIONS_VERSION',
    default: 'latest',
    describe: 'Version (or dist-tag) of @openfn/language-collections added to jobs that use collections',
  },
  'sentry-dsn': {
    env: 'WORKER_SENTRY_DSN',
    describe: "Report the worker's errors to this Sentry DSN (unset: no error reporting)",
  },
  'sentry-env': {
    env: 'WORKER_SENTRY_ENV',
    default: 'dev',
    describe: 'The environment Sentry files the reports under',
  },
  log: {
    env: 'WORKER_LOG_LEVEL',
    default: 'info',
    describe: 'Log level: trace, debug, info, warn, error, fatal or silent',
  },
} satisfies Record<string, OptionSpec>;

export type OptionKey = keyof typeof OPTIONS;
type SpecOf<K extends OptionKey> = (typeof OPTIONS)[K];
/** Options with a text default: they always have a value. */
export type DefaultedKey = { [K in OptionKey]: SpecOf<K> extends { default: string } ? K : never }[OptionKey];
/** On/off options: a boolean flag with yargs' `--no-` negation. */
export type SwitchKey = { [K in OptionKey]: SpecOf<K> extends { default: boolean } ? K : never }[OptionKey];
/** Options that may have no value at all. */
export type UndefaultedKey = Exclude<OptionKey, DefaultedKey | SwitchKey>;

export const optionKeys = Object.keys(OPTIONS) as OptionKey[];

/** One option's spec, seen through the common shape. */
export const specOf = (key: OptionKey): OptionSpec => OPTIONS[key];

export const switchKeys = optionKeys.filter((key): key is SwitchKey => typeof specOf(key).default === 'boolean');

/** `--capacity (WORKER_CAPACITY)`: how error messages name an option. */
export const optionLabel = (key: OptionKey): string => `--${key} (${OPTIONS[key].env})`;
