import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError, HelpRequested, parseConfig, type WorkerConfig } from '../src/index.js';
import { OPTIONS, optionKeys, type OptionKey } from '../src/util/options.js';
import { engineOptions } from '../src/util/worker-config.js';
import { silentLogger } from './helpers/logger.js';
import { testKeys } from './helpers/keys.js';

type Env = Record<string, string>;

// The secret is required; most tests are about something else, so the env gives one.
const config = (argv: string[] = [], env: Env = {}): WorkerConfig =>
  parseConfig(argv, { WORKER_SECRET: 'env-secret', ...env });

const configError = (argv: string[], env: Env = {}): ConfigError => {
  try {
    config(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify({ argv, env })}`);
};

test('every default', (t) => {
  t.deepEqual(config(), {
    lightningUrl: 'ws://localhost:4000/worker',
    secret: 'env-secret',
    lightningPublicKey: undefined,
    repoDir: path.join(os.homedir(), '.openfn/worker/repo'),
    cacheDir: path.join(os.homedir(), '.openfn/worker/cache'),
    cacheMaxMb: 5000,
    installScripts: false,
    preload: [],
    lockRepo: true,
    whitelist: [/^@openfn\//],
    jobEnv: [],
    jobAllow: [],
    port: 2222,
    host: undefined,
    workloops: [{ queues: ['manual', '*'], capacity: 5 }],
    capacity: 5,
    runTimeoutMs: 300_000,
    memoryLimitMb: 500,
    statePropsToRemove: ['configuration', 'response'],
    payloadLimitMb: 10,
    logPayloadLimitMb: 1,
    batchLogs: false,
    batchIntervalMs: 10,
    batchLimit: 50,
    backoff: { minMs: 1000, maxMs: 10_000 },
    messageTimeoutMs: 30_000,
    claimTimeoutMs: 3_600_000,
    shutdownTimeoutMs: 60_000,
    workerName: os.hostname(),
    collections: undefined,
    sentryDsn: undefined,
    sentryEnv: 'dev',
    logLevel: 'info',
  });
});

const keyFromFlag = testKeys();
const keyFromEnv = testKeys();

interface OptionCase {
  flag: string;
  env: string;
  read: (config: WorkerConfig) => unknown;
  fromFlag: unknown;
  fromEnv: unknown;
}

// One value per source for every option that takes a value: each must reach the
// configuration under its declared flag and env var (the reference worker declared
// flags its configuration never read).
const CASES: Partial<Record<OptionKey, OptionCase>> = {
  lightning: {
    flag: 'wss://flag.example/worker',
    env: 'ws://env.example:9000/worker',
    read: (c) => c.lightningUrl,
    fromFlag: 'wss://flag.example/worker',
    fromEnv: 'ws://env.example:9000/worker',
  },
  secret: { flag: 'flag-secret', env: 'other-secret', read: (c) => c.secret, fromFlag: 'flag-secret', fromEnv: 'other-secret' },
  'lightning-public-key': {
    flag: keyFromFlag.publicBase64,
    env: keyFromEnv.publicBase64,
    read: (c) => c.lightningPublicKey,
    fromFlag: keyFromFlag.publicPem,
    fromEnv: keyFromEnv.publicPem,
  },
  'repo-dir': {
    flag: '/srv/flag-repo',
    env: '~/env-repo',
    read: (c) => c.repoDir,
    fromFlag: '/srv/flag-repo',
    fromEnv: path.join(os.homedir(), 'env-repo'),
  },
  'cache-dir': {
    flag: '/var/cache/flag',
    env: '~/env-cache',
    read: (c) => c.cacheDir,
    fromFlag: '/var/cache/flag',
    fromEnv: path.join(os.homedir(), 'env-cache'),
  },
  'cache-max-mb': { flag: '100', env: '20000', read: (c) => c.cacheMaxMb, fromFlag: 100, fromEnv: 20_000 },
  preload: {
    flag: '@openfn/language-common@3.3.4, @openfn/language-http@latest',
    env: '@openfn/language-common',
    read: (c) => c.preload,
    fromFlag: ['@openfn/language-common@3.3.4', '@openfn/language-http@latest'],
    fromEnv: ['@openfn/language-common'],
  },
  whitelist: {
    flag: '^@acme/, ^@openfn/',
    env: '^env$',
    read: (c) => c.whitelist,
    fromFlag: [/^@acme\//, /^@openfn\//],
    fromEnv: [/^env$/],
  },
  'job-env': { flag: 'HTTP_PROXY, TZ', env: 'LANG', read: (c) => c.jobEnv, fromFlag: ['HTTP_PROXY', 'TZ'], fromEnv: ['LANG'] },
  'job-allow': {
    flag: 'child-process,worker',
    env: 'addons',
    read: (c) => c.jobAllow,
    fromFlag: ['child-process', 'worker'],
    fromEnv: ['addons'],
  },
  port: { flag: '0', env: '8080', read: (c) => c.port, fromFlag: 0, fromEnv: 8080 },
  host: { flag: '127.0.0.1', env: '::1', read: (c) => c.host, fromFlag: '127.0.0.1', fromEnv: '::1' },
  capacity: { flag: '1', env: '12', read: (c) => c.capacity, fromFlag: 1, fromEnv: 12 },
  workloops: {
    flag: 'manual>*:2 fast_lane:1',
    env: ' *:3 ',
    read: (c) => c.workloops,
    fromFlag: [
      { queues: ['manual', '*'], capacity: 2 },
      { queues: ['fast_lane'], capacity: 1 },
    ],
    fromEnv: [{ queues: ['*'], capacity: 3 }],
  },
  'max-run-duration-seconds': { flag: '1.5', env: '60', read: (c) => c.runTimeoutMs, fromFlag: 1500, fromEnv: 60_000 },
  'run-memory': { flag: '1024', env: '256', read: (c) => c.memoryLimitMb, fromFlag: 1024, fromEnv: 256 },
  'state-props-to-remove': {
    flag: 'data, references',
    env: 'data',
    read: (c) => c.statePropsToRemove,
    fromFlag: ['data', 'references'],
    fromEnv: ['data'],
  },
  'payload-limit-mb': { flag: '2.5', env: '7', read: (c) => c.payloadLimitMb, fromFlag: 2.5, fromEnv: 7 },
  'log-payload-limit-mb': { flag: '0.5', env: '4', read: (c) => c.logPayloadLimitMb, fromFlag: 0.5, fromEnv: 4 },
  'batch-interval': { flag: '50', env: '5', read: (c) => c.batchIntervalMs, fromFlag: 50, fromEnv: 5 },
  'batch-limit': { flag: '200', env: '1', read: (c) => c.batchLimit, fromFlag: 200, fromEnv: 1 },
  backoff: {
    flag: '0.5/2',
    env: '2/2',
    read: (c) => c.backoff,
    fromFlag: { minMs: 500, maxMs: 2000 },
    fromEnv: { minMs: 2000, maxMs: 2000 },
  },
  'message-timeout': { flag: '5', env: '0.25', read: (c) => c.messageTimeoutMs, fromFlag: 5000, fromEnv: 250 },
  'claim-timeout': { flag: '10', env: '20', read: (c) => c.claimTimeoutMs, fromFlag: 10_000, fromEnv: 20_000 },
  'shutdown-timeout-seconds': { flag: '0', env: '90', read: (c) => c.shutdownTimeoutMs, fromFlag: 0, fromEnv: 90_000 },
  'worker-name': { flag: 'flag-name', env: 'env-name', read: (c) => c.workerName, fromFlag: 'flag-name', fromEnv: 'env-name' },
  log: { flag: 'debug', env: 'silent', read: (c) => c.logLevel, fromFlag: 'debug', fromEnv: 'silent' },
  'sentry-dsn': {
    flag: 'https://abc@o1.ingest.sentry.io/42',
    env: 'http://key@127.0.0.1:9000/1',
    read: (c) => c.sentryDsn,
    fromFlag: 'https://abc@o1.ingest.sentry.io/42',
    fromEnv: 'http://key@127.0.0.1:9000/1',
  },
  'sentry-env': { flag: 'production', env: 'staging', read: (c) => c.sentryEnv, fromFlag: 'production', fromEnv: 'staging' },
  'collections-url': {
    flag: 'https://app.example.org/collections/',
    env: 'http://lightning:4000/collections',
    read: (c) => c.collections?.url,
    fromFlag: 'https://app.example.org/collections',
    fromEnv: 'http://lightning:4000/collections',
  },
};

test('every option is covered by a case here (the switches and the secret file have their own tests)', (t) => {
  t.deepEqual([...Object.keys(CASES), 'repo-lock', 'install-scripts', 'batch-logs', 'secret-file', 'collections-version'].sort(), [...optionKeys].sort());
});

for (const [key, option] of Object.entries(CASES) as Array<[OptionKey, OptionCase]>) {
  const { env: envName } = OPTIONS[key];
  test(`--${key}: flag beats ${envName} beats default`, (t) => {
    const flagArgs = [`--${key}`, option.flag];
    t.deepEqual(option.read(config(flagArgs)), option.fromFlag, 'from the flag');
    t.deepEqual(option.read(config([], { [envName]: option.env })), option.fromEnv, 'from the env var');
    t.deepEqual(option.read(config(flagArgs, { [envName]: option.env })), option.fromFlag, 'the flag wins over the env var');
    t.notDeepEqual(option.read(config()), option.fromEnv, 'the env value is not the default');
  });
}

const SHORT_ALIASES: Array<[string, OptionKey]> = [
  ['-l', 'lightning'],
  ['-s', 'secret'],
  ['-d', 'repo-dir'],
  ['-p', 'port'],
  ['-t', 'max-run-duration-seconds'],
];

for (const [alias, key] of SHORT_ALIASES) {
  test(`${alias} is --${key}`, (t) => {
    const option = CASES[key] as OptionCase;
    t.deepEqual(option.read(config([alias, option.flag])), option.fromFlag);
  });
}

type SwitchCase = [argv: string[], env: Env, on: boolean];

// Both switches, every combination of flag and env var: a flag beats the env var either way.
const SWITCHES: Array<{ name: string; read: (config: WorkerConfig) => boolean; cases: SwitchCase[] }> = [
  {
    name: 'the repo lock',
    read: (c) => c.lockRepo,
    cases: [
      [[], {}, true],
      [['--no-repo-lock'], {}, false],
      [[], { WORKER_NO_REPO_LOCK: 'true' }, false],
      [['--no-repo-lock'], { WORKER_NO_REPO_LOCK: 'true' }, false],
      [[], { WORKER_NO_REPO_LOCK: '1' }, false],
      [[], { WORKER_NO_REPO_LOCK: 'TRUE' }, false],
      [[], { WORKER_NO_REPO_LOCK: 'false' }, true],
      [[], { WORKER_NO_REPO_LOCK: '0' }, true],
      [[], { WORKER_NO_REPO_LOCK: '' }, true],
      [['--repo-lock'], { WORKER_NO_REPO_LOCK: 'true' }, true],
      [['--no-repo-lock'], { WORKER_NO_REPO_LOCK: 'false' }, false],
    ],
  },
  {
    name: 'install scripts',
    read: (c) => c.installScripts,
    cases: [
      [[], {}, false],
      [['--install-scripts'], {}, true],
      [[], { WORKER_INSTALL_SCRIPTS: 'true' }, true],
      [[], { WORKER_INSTALL_SCRIPTS: '1' }, true],
      [[], { WORKER_INSTALL_SCRIPTS: 'false' }, false],
      [['--no-install-scripts'], { WORKER_INSTALL_SCRIPTS: 'true' }, false],
      [['--install-scripts'], { WORKER_INSTALL_SCRIPTS: 'false' }, true],
    ],
  },
  {
    name: 'batched logs',
    read: (c) => c.batchLogs,
    cases: [
      [[], {}, false],
      [['--batch-logs'], {}, true],
      [[], { WORKER_BATCH_LOGS: 'true' }, true],
      [['--no-batch-logs'], { WORKER_BATCH_LOGS: 'true' }, false],
    ],
  },
];

for (const { name, read, cases } of SWITCHES) {
  for (const [argv, env, on] of cases) {
    test(`${name} with [${argv.join(' ')}] and ${JSON.stringify(env)}: ${on ? 'on' : 'off'}`, (t) => {
      t.is(read(config(argv, env)), on);
    });
  }
}

test('--collections-version goes with --collections-url; without a URL collections are off', (t) => {
  t.deepEqual(config(['--collections-url', 'http://l/collections', '--collections-version', '1.2.3']).collections, { url: 'http://l/collections', version: '1.2.3' });
  t.deepEqual(config([], { WORKER_COLLECTIONS_URL: 'http://l/collections' }).collections, { url: 'http://l/collections', version: 'latest' });
  t.is(config(['--collections-version', '1.2.3']).collections, undefined);
});

test('the capacity of --workloops is the sum of its loops', (t) => {
  t.is(config(['--workloops', 'manual>*:2 *:3']).capacity, 5);
});

test("the engine's options are compiled from the same configuration, the lock switch under its one name", (t) => {
  const argv = ['--capacity', '3', '--run-memory', '256', '-t', '90', '--no-repo-lock', '--cache-max-mb', '100', '--job-env', 'TZ', '--install-scripts'];
  const options = engineOptions(config(argv), { workerId: 'w-1', logger: silentLogger(), onLockEvent: () => undefined });
  t.like(options, { capacity: 3, memoryLimitMb: 256, runTimeoutMs: 90_000, jobEnv: ['TZ'], statePropsToRemove: ['configuration', 'response'] });
  t.like(options.autoinstall, { lockRepo: false, workerId: 'w-1', installScripts: true, cacheMaxMb: 100 });
});

test('an option given twice takes its last value, a switch too', (t) => {
  t.is(config(['--capacity', '2', '--capacity', '3']).capacity, 3);
  t.false(config(['--repo-lock', '--no-repo-lock']).lockRepo);
});

test('an empty env var counts as unset', (t) => {
  t.is(config([], { WORKER_CAPACITY: '' }).capacity, 5);
  t.is(configError([], { WORKER_SECRET: '' }).message, 'Missing --secret (WORKER_SECRET) or --secret-file (WORKER_SECRET_FILE): one is required');
});

test.serial('parseConfig reads only the env it is given, never process.env', (t) => {
  process.env.WORKER_CAPACITY = '9';
  try {
    t.is(config().capacity, 5);
  } finally {
    delete process.env.WORKER_CAPACITY;
  }
});

const POSITIVE_SECONDS = 'a number of seconds from 0.001 to 2147483.647';
const BACKOFF = '"min/max" seconds with 0 < min <= max';
const URL_EXPECTED = 'a ws:// or wss:// URL';

const INVALID: Array<{ argv: string[]; env?: Env; message: string | RegExp }> = [
  { argv: ['--capacity', 'abc'], message: 'Invalid --capacity (WORKER_CAPACITY): "abc" is not a whole number of runs from 1 to 100' },
  {
    argv: ['--payload-limit-mb', '20'],
    message: 'Invalid --payload-limit-mb (WORKER_MAX_PAYLOAD_MB): "20" is not a number of MB above 0 and at most 10',
  },
  { argv: [], env: { WORKER_MAX_LOG_PAYLOAD_MB: '0' }, message: 'Invalid --log-payload-limit-mb (WORKER_MAX_LOG_PAYLOAD_MB): "0" is not a number of MB above 0 and at most 10' },
  { argv: ['--batch-limit', '0'], message: 'Invalid --batch-limit (WORKER_BATCH_LIMIT): "0" is not a whole number of lines from 1 to 1000' },
  {
    argv: ['--job-allow', 'worker,network'],
    message: 'Invalid --job-allow (WORKER_JOB_ALLOW): "network" is not one of child-process, worker, addons, code-generation',
  },
  { argv: [], env: { WORKER_JOB_ENV: 'PATH,NOT-A-NAME' }, message: 'Invalid --job-env (WORKER_JOB_ENV): "NOT-A-NAME" is not an environment variable name' },
  { argv: [], env: { WORKER_CAPACITY: 'abc' }, message: 'Invalid --capacity (WORKER_CAPACITY): "abc" is not a whole number of runs from 1 to 100' },
  { argv: ['--capacity', '1.5'], message: 'Invalid --capacity (WORKER_CAPACITY): "1.5" is not a whole number of runs from 1 to 100' },
  { argv: [], env: { WORKER_CAPACITY: '1.5' }, message: 'Invalid --capacity (WORKER_CAPACITY): "1.5" is not a whole number of runs from 1 to 100' },
  { argv: ['--capacity', '0'], message: 'Invalid --capacity (WORKER_CAPACITY): "0" is not a whole number of runs from 1 to 100' },
  { argv: ['--capacity', '-1'], message: 'Invalid --capacity (WORKER_CAPACITY): "-1" is not a whole number of runs from 1 to 100' },
  {
    argv: ['--workloops', 'manual>*:2 *>manual:1'],
    message:
      'Invalid --workloops (WORKER_WORKLOOPS): "*>manual:1" is not space-separated loops <queues>:<count> such as "manual>*:2 *:3" (queue names of letters, digits and _, joined by >, with * only last)',
  },
  { argv: ['--workloops', 'manual:0'], message: /^Invalid --workloops \(WORKER_WORKLOOPS\): "manual:0" is not space-separated loops/ },
  { argv: ['--workloops', '*:60 manual:41'], message: 'Invalid --workloops (WORKER_WORKLOOPS): its loops add up to 101 runs at once; at most 100' },
  {
    argv: ['--workloops', '*:2'],
    env: { WORKER_CAPACITY: '4' },
    message: 'Give --capacity (WORKER_CAPACITY) or --workloops (WORKER_WORKLOOPS), not both: each loop of --workloops has its own capacity',
  },
  { argv: ['--sentry-dsn', 'https://o1.ingest.sentry.io/42'], message: 'Invalid --sentry-dsn (WORKER_SENTRY_DSN): "https://o1.ingest.sentry.io/42" is not a Sentry DSN such as https://<key>@o0.ingest.sentry.io/<project>' },
  { argv: ['--capacity', '100000'], message: 'Invalid --capacity (WORKER_CAPACITY): "100000" is not a whole number of runs from 1 to 100' },
  { argv: ['--capacity', '1e3'], message: 'Invalid --capacity (WORKER_CAPACITY): "1e3" is not a whole number of runs from 1 to 100' },
  { argv: ['--capacity'], message: 'Invalid --capacity (WORKER_CAPACITY): "" is not a whole number of runs from 1 to 100' },
  { argv: ['--run-memory', '512MB'], message: 'Invalid --run-memory (WORKER_MAX_RUN_MEMORY_MB): "512MB" is not a positive integer' },
  { argv: ['--port', '70000'], message: 'Invalid --port (WORKER_PORT): "70000" is not an integer port from 0 to 65535' },
  { argv: [], env: { WORKER_PORT: 'http' }, message: 'Invalid --port (WORKER_PORT): "http" is not an integer port from 0 to 65535' },
  {
    argv: ['--lightning', 'not a url'],
    message: `Invalid --lightning (WORKER_LIGHTNING_SERVICE_URL): "not a url" is not ${URL_EXPECTED}`,
  },
  {
    argv: [],
    env: { WORKER_LIGHTNING_SERVICE_URL: 'http://localhost:4000/worker' },
    message: `Invalid --lightning (WORKER_LIGHTNING_SERVICE_URL): "http://localhost:4000/worker" is not ${URL_EXPECTED}`,
  },
  { argv: ['--backoff', '10'], message: `Invalid --backoff (WORKER_BACKOFF): "10" is not ${BACKOFF}` },
  { argv: ['--backoff', '10/1'], message: `Invalid --backoff (WORKER_BACKOFF): "10/1" is not ${BACKOFF}` },
  { argv: ['--backoff', '0/1'], message: `Invalid --backoff (WORKER_BACKOFF): "0/1" is not ${BACKOFF}` },
  { argv: [], env: { WORKER_BACKOFF: 'a/b' }, message: `Invalid --backoff (WORKER_BACKOFF): "a/b" is not ${BACKOFF}` },
  { argv: ['--backoff', '1/2/3'], message: `Invalid --backoff (WORKER_BACKOFF): "1/2/3" is not ${BACKOFF}` },
  {
    argv: ['-t', '0'],
    message: `Invalid --max-run-duration-seconds (WORKER_MAX_RUN_DURATION_SECONDS): "0" is not ${POSITIVE_SECONDS}`,
  },
  {
    argv: [],
    env: { WORKER_MESSAGE_TIMEOUT_SECONDS: 'soon' },
    message: `Invalid --message-timeout (WORKER_MESSAGE_TIMEOUT_SECONDS): "soon" is not ${POSITIVE_SECONDS}`,
  },
  {
    argv: ['--claim-timeout', '9999999'],
    message: `Invalid --claim-timeout (WORKER_CLAIM_TIMEOUT_SECONDS): "9999999" is not ${POSITIVE_SECONDS}`,
  },
  {
    argv: ['--shutdown-timeout-seconds=-5'],
    message:
      'Invalid --shutdown-timeout-seconds (WORKER_SHUTDOWN_TIMEOUT_SECONDS): "-5" is not a number of seconds from 0 to 2147483.647',
  },
  {
    argv: ['--log', 'verbose'],
    message: 'Invalid --log (WORKER_LOG_LEVEL): "verbose" is not one of trace, debug, info, warn, error, fatal, silent',
  },
  {
    argv: ['--whitelist', '^@openfn/,[a'],
    message: 'Invalid --whitelist (WORKER_ADAPTOR_WHITELIST): "[a" is not a valid regular expression (Unterminated character class)',
  },
  {
    argv: ['--whitelist', ' , '],
    message:
      'Invalid --whitelist (WORKER_ADAPTOR_WHITELIST): " , " is not a comma-separated list of at least one regular expression',
  },
  {
    argv: [],
    env: { WORKER_LIGHTNING_PUBLIC_KEY: Buffer.from('not a key').toString('base64') },
    message: 'Invalid --lightning-public-key (WORKER_LIGHTNING_PUBLIC_KEY): "bm90IGEga2V5" is not the base64 of a PEM public key',
  },
  {
    argv: ['--lightning-public-key', keyFromFlag.privateBase64],
    message: /^Invalid --lightning-public-key \(WORKER_LIGHTNING_PUBLIC_KEY\): "LS0tLS1CRUdJTiBQUklWQVRF.{36}…" is not the base64 of a PEM public key$/,
  },
  { argv: ['--secret', ''], message: 'Invalid --secret (WORKER_SECRET): "" is not a non-empty value' },
  { argv: ['--worker-name='], message: 'Invalid --worker-name (WORKER_NAME): "" is not a non-empty value' },
  { argv: ['--repo-dir='], message: 'Invalid --repo-dir (WORKER_REPO_DIR): "" is not a directory path' },
  {
    argv: [],
    env: { WORKER_NO_REPO_LOCK: 'yes' },
    message: 'Invalid --repo-lock (WORKER_NO_REPO_LOCK): "yes" is not one of true, 1, false, 0',
  },
  { argv: ['--no-capacity'], message: 'Invalid --no-capacity: only --no-install-scripts, --no-repo-lock, --no-batch-logs can be negated; give --capacity a value' },
  {
    argv: ['--preload', '@openfn/language-common@3.3.4,file:../evil'],
    message: /^Invalid --preload \(WORKER_PRELOAD\): "file:\.\.\/evil" is not a comma-separated list of adaptor specifiers \(Invalid adaptor specifier "file:\.\.\/evil": .*\)$/,
  },
  { argv: [], env: { WORKER_CACHE_MAX_MB: '0' }, message: 'Invalid --cache-max-mb (WORKER_CACHE_MAX_MB): "0" is not a positive integer' },
  { argv: ['--cache-dir='], message: 'Invalid --cache-dir (WORKER_CACHE_DIR): "" is not a directory path' },
  { argv: ['--capacityy', '5'], message: 'Unknown argument: capacityy (see ws-worker --help)' },
  // The spelling the reference worker read by accident is not an option here.
  { argv: ['--message-timeout-seconds', '5'], message: 'Unknown argument: message-timeout-seconds (see ws-worker --help)' },
  { argv: ['server'], message: 'Unknown argument: server (see ws-worker --help)' },
  { argv: ['--repoDir', '/x'], message: 'Unknown argument: repoDir (see ws-worker --help)' },
];

// Keeps test titles short when a value is a whole base64 key.
const shown = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length > 70 ? `${text.slice(0, 70)}…` : text;
};

for (const { argv, env = {}, message } of INVALID) {
  test(`rejects ${shown(argv)} with env ${shown(env)}`, (t) => {
    const error = configError(argv, env);
    t.is(error.name, 'ConfigError');
    t.false(error.message.includes('\n'), 'one line');
    if (typeof message === 'string') t.is(error.message, message);
    else t.regex(error.message, message);
  });
}

test('a missing secret is an error', (t) => {
  const error = t.throws(() => parseConfig([], {}), { instanceOf: ConfigError });
  t.is(error?.message, 'Missing --secret (WORKER_SECRET) or --secret-file (WORKER_SECRET_FILE): one is required');
  t.is(error?.option, 'secret');
});

test('--secret-file: the secret is read from the file, without its trailing newline; the flag beats WORKER_SECRET_FILE', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fleet-secret-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [fromFlag, fromEnv] = [path.join(dir, 'flag'), path.join(dir, 'env')];
  await writeFile(fromFlag, 'file-secret\n');
  await writeFile(fromEnv, 'env-file-secret');
  t.is(parseConfig(['--secret-file', fromFlag], {}).secret, 'file-secret');
  t.is(parseConfig([], { WORKER_SECRET_FILE: fromEnv }).secret, 'env-file-secret');
  t.is(parseConfig(['--secret-file', fromFlag], { WORKER_SECRET_FILE: fromEnv }).secret, 'file-secret');
});

test('--secret-file: a missing or empty file, or a secret given twice, stops start-up with one line', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fleet-secret-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const empty = path.join(dir, 'empty');
  await writeFile(empty, '\n');
  const missing = path.join(dir, 'missing');
  const good = path.join(dir, 'good');
  await writeFile(good, 'x');
  t.is(
    t.throws(() => parseConfig(['--secret-file', missing], {}), { instanceOf: ConfigError })?.message,
    `Invalid --secret-file (WORKER_SECRET_FILE): ${JSON.stringify(missing.length > 60 ? `${missing.slice(0, 60)}…` : missing)} is not a readable file (ENOENT)`,
  );
  t.regex(t.throws(() => parseConfig(['--secret-file', empty], {}), { instanceOf: ConfigError })?.message ?? '', /is not a file holding a non-empty secret$/);
  t.is(
    t.throws(() => parseConfig(['--secret-file', good, '--secret', 'x'], {}), { instanceOf: ConfigError })?.message,
    'Both --secret (WORKER_SECRET) and --secret-file (WORKER_SECRET_FILE) are set: give only one',
  );
});

test('an invalid value names its option', (t) => {
  t.is(configError(['--port', 'x']).option, 'port');
});

test('--help shows every flag, alias, env var and default, and needs no secret', (t) => {
  const help = t.throws(() => parseConfig(['--capacity', 'abc', '--help'], {}), { instanceOf: HelpRequested });
  const text = help?.text ?? '';
  for (const [key, spec] of Object.entries(OPTIONS)) {
    t.true(text.includes(`--${key} `), `--${key}`);
    t.true(text.includes(spec.env), spec.env);
    for (const alias of 'alias' in spec ? spec.alias : []) t.true(text.includes(`-${alias},`), `-${alias}`);
    if ('default' in spec) t.true(text.includes(`[default: ${spec.default}]`), `default of --${key}`);
  }
  t.is(t.throws(() => parseConfig(['-h'], {}), { instanceOf: HelpRequested })?.text, text);
});
