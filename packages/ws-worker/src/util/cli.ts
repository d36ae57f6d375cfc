import { createRequire } from 'node:module';
import { parseSpecifier } from '@fleet/repo';
import type { Argv, Options } from 'yargs';
import type Yargs from 'yargs/yargs';
import { ConfigError } from './config-error.js';
import { optionSource } from './option-source.js';
import { OPTIONS, type OptionKey, type OptionSpec } from './options.js';
import { directory, duration, envBoolean, InvalidValue, nonEmpty } from './parse-value.js';
import { buildWorkerConfig, type WorkerConfig } from './worker-config.js';

// yargs 17's ES module build breaks help lines in the middle of words (yargs
// issue 2112); its CommonJS build wraps at word boundaries.
const yargs = createRequire(import.meta.url)('yargs/yargs') as typeof Yargs;

/** `--help` was asked for: show `text` and start nothing. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  constructor(readonly text: string) {
    super('Help requested');
  }
}

const CHECK_REPO = 'check-repo';
const REPO = 'repo';

/** Where an operator command finds the fleet's repo and this host's cache. */
export interface RepoDirs {
  repoDir: string;
  cacheDir: string;
}

/** What a command line asks for: run the worker, or one operator command that runs and exits. */
export type Invocation =
  | { command: 'start'; config: WorkerConfig }
  | ({ command: typeof CHECK_REPO } & RepoDirs)
  | ({ command: 'repo status'; json: boolean } & RepoDirs)
  | ({ command: 'repo install'; specifiers: string[]; lockRepo: boolean; installScripts: boolean; workerName: string } & RepoDirs)
  | { command: 'repo prune'; repoDir: string; unusedForMs: number; dryRun: boolean; legacy: boolean; lockRepo: boolean; workerName: string };

/**
 * The invocation from a command line and an environment. Pure: it reads neither
 * process.argv nor process.env, prints nothing and never exits. Throws
 * ConfigError for bad input and HelpRequested for `--help`.
 */
export function parseInvocation(argv: string[], env: NodeJS.ProcessEnv): Invocation {
  const flags = parseFlags(argv);
  const options = optionSource(flags, env);
  const [command, action] = (flags._ as unknown[]).map(String);
  // The operator commands read only what they use: no secret or Lightning URL needed.
  const dirs = (): RepoDirs => ({ repoDir: options.value('repo-dir', directory), cacheDir: options.value('cache-dir', directory) });
  const lockRepo = (): boolean => options.toggle('repo-lock', (raw) => !envBoolean(raw));
  if (command === CHECK_REPO) return { command: CHECK_REPO, ...dirs() };
  if (command === REPO && action === 'status') return { command: 'repo status', ...dirs(), json: flags.json === true };
  if (command === REPO && action === 'install') {
    return {
      command: 'repo install',
      ...dirs(),
      specifiers: specifierArguments(((flags.specifiers as unknown[] | undefined) ?? []).map(String)),
      lockRepo: lockRepo(),
      installScripts: options.toggle('install-scripts', envBoolean),
      workerName: options.value('worker-name', nonEmpty),
    };
  }
  if (command === REPO && action === 'prune') {
    return {
      command: 'repo prune',
      repoDir: options.value('repo-dir', directory),
      unusedForMs: durationArgument(flags['unused-for']),
      dryRun: flags['dry-run'] === true,
      legacy: flags.legacy === true,
      lockRepo: lockRepo(),
      workerName: options.value('worker-name', nonEmpty),
    };
  }
  return { command: 'start', config: buildWorkerConfig(options) };
}

function specifierArguments(raw: string[]): string[] {
  if (raw.length === 0) throw new ConfigError('repo install needs at least one adaptor specifier, such as @openfn/language-http@7.2.10');
  for (const specifier of raw) {
    try {
      parseSpecifier(specifier);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }
  return raw;
}

function durationArgument(raw: unknown): number {
  try {
    return duration(String(raw ?? ''));
  } catch (error) {
    throw new ConfigError(`Invalid --unused-for: ${JSON.stringify(String(raw ?? ''))} is not ${(error as InvalidValue).expected}`);
  }
}

/** The worker configuration from a command line that starts the worker; see parseInvocation. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): WorkerConfig {
  const invocation = parseInvocation(argv, env);
  if (invocation.command !== 'start') throw new ConfigError(`${invocation.command} starts no worker, so it has no worker configuration`);
  return invocation.config;
}

interface ParseOutcome {
  error: Error | undefined;
  flags: Record<string, unknown>;
  output: string;
}

function parseFlags(argv: string[]): Record<string, unknown> {
  const reported: { outcome?: ParseOutcome } = {};
  // With a callback, yargs hands over errors and help text instead of printing
  // them and exiting the process; it calls back before parse() returns.
  commandLine().parse(argv, {}, (error, flags, output) => {
    reported.outcome = { error, flags, output };
  });
  const { outcome } = reported;
  if (!outcome) throw new Error('yargs did not report the parse');
  if (outcome.error) throw new ConfigError(`${outcome.error.message} (see ws-worker --help)`);
  if (outcome.flags.help === true) throw new HelpRequested(outcome.output);
  const lastOfRepeated = ([key, value]: [string, unknown]): [string, unknown] => [key, key !== 'specifiers' && key !== '_' && Array.isArray(value) ? value.at(-1) : value];
  return Object.fromEntries(Object.entries(outcome.flags).map(lastOfRepeated));
}

const USAGE = `Usage: $0 [options]
   or: $0 check-repo [--repo-dir DIR] [--cache-dir DIR]
   or: $0 repo status [--json]
   or: $0 repo install SPECIFIER...
   or: $0 repo prune --unused-for DURATION [--dry-run] [--legacy]

Each option can also be set by its environment variable; a flag beats its variable, which beats the default.`;

const CHECK_REPO_DESCRIPTION =
  "Check that the repo dir's filesystem suits workers sharing it (locks, publishing, caching) and the cache dir is on local disk, print one line per check, and exit: 0 all ok, 1 warnings";

const REPO_DESCRIPTION = 'Inspect, warm or clean the shared repo (status, install, prune); see ws-worker repo --help';

function commandLine(): Argv {
  const parser = yargs()
    .scriptName('ws-worker')
    .usage(USAGE)
    // Fixed, so messages and help do not depend on the caller's LANG.
    .locale('en')
    // Values stay raw text: the option reader validates flags and env vars alike.
    .parserConfiguration({
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'dot-notation': false,
      // On, so that `repo install a b` keeps every adaptor; a repeated option's last value wins below.
      'duplicate-arguments-array': true,
      // Only the declared spellings: an unknown flag is reported once, as typed.
      'camel-case-expansion': false,
    })
    .strict()
    .help()
    .alias('help', 'h')
    .version(false);
  // Not global: the worker's options are refused after a command, which takes only the ones it reads.
  for (const [key, spec] of Object.entries(OPTIONS)) parser.option(key, { ...yargsOption(spec), global: false });
  const withOptions = (command: Argv, keys: OptionKey[]): Argv => keys.reduce((built, key) => built.option(key, yargsOption(OPTIONS[key])), command);
  parser.command(CHECK_REPO, CHECK_REPO_DESCRIPTION, (command) => withOptions(command, ['repo-dir', 'cache-dir']));
  parser.command(REPO, REPO_DESCRIPTION, (repo) =>
    repo
      .command('status', 'Every adaptor version in the shared repo (size, installed when and by whom, last used), locks held, staged files, and the local cache', (command) =>
        withOptions(command, ['repo-dir', 'cache-dir']).option('json', { type: 'boolean', describe: 'Print the status as JSON' }),
      )
      .command(
        'install [specifiers..]',
        'Build and publish adaptors into the shared repo now, under the install lock, so a fleet is warm before it scales out (exit 1 if any fails)',
        (command) =>
          withOptions(command, ['repo-dir', 'cache-dir', 'repo-lock', 'install-scripts', 'worker-name']).positional('specifiers', {
            describe: 'Adaptors, such as @openfn/language-http@7.2.10',
            type: 'string',
            array: true,
          }),
      )
      .command('prune', 'Remove the adaptor versions no worker has used for a while; safe while the fleet runs', (command) =>
        withOptions(command, ['repo-dir', 'repo-lock', 'worker-name'])
          .option('unused-for', { type: 'string', demandOption: true, describe: 'Remove versions unused for this long: 30d, 12h, 90m, 2w' })
          .option('dry-run', { type: 'boolean', describe: 'List what would be removed; remove nothing' })
          .option('legacy', { type: 'boolean', describe: 'Also remove node_modules/ and package.json left in the repo dir by workers before the archive layout' }),
      )
      .demandCommand(1, 'repo needs one of: status, install, prune'),
  );
  return parser;
}

// No yargs default: a default there would hide whether the flag was given, and
// the env var must win over the default but not over the flag.
function yargsOption(spec: OptionSpec): Options {
  const isSwitch = typeof spec.default === 'boolean';
  return {
    alias: spec.alias,
    describe: `${spec.describe} [env ${spec.envHelp ?? spec.env}]`,
    defaultDescription: spec.default === undefined ? undefined : String(spec.default),
    type: isSwitch ? 'boolean' : undefined,
  };
}
