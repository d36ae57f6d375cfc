import { createRequire } from 'node:module';
import type { Argv, Options } from 'yargs';
import type Yargs from 'yargs/yargs';
import { ConfigError } from './config-error.js';
import { optionSource } from './option-source.js';
import { OPTIONS, type OptionSpec } from './options.js';
import { directory } from './parse-value.js';
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

/** What a command line asks for: run the worker, or check a repo dir and exit. */
export type Invocation = { command: 'start'; config: WorkerConfig } | { command: typeof CHECK_REPO; repoDir: string };

/**
 * The invocation from a command line and an environment. Pure: it reads neither
 * process.argv nor process.env, prints nothing and never exits. Throws
 * ConfigError for bad input and HelpRequested for `--help`.
 */
export function parseInvocation(argv: string[], env: NodeJS.ProcessEnv): Invocation {
  const flags = parseFlags(argv);
  const options = optionSource(flags, env);
  // Checking a repo dir reads only the repo dir: no secret or Lightning URL needed.
  if ((flags._ as unknown[])[0] === CHECK_REPO) return { command: CHECK_REPO, repoDir: options.value('repo-dir', directory) };
  return { command: 'start', config: buildWorkerConfig(options) };
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
  return outcome.flags;
}

const USAGE = `Usage: $0 [options]
   or: $0 check-repo [--repo-dir DIR]

Each option can also be set by its environment variable; a flag beats its variable, which beats the default.`;

const CHECK_REPO_DESCRIPTION =
  "Check that the repo dir's filesystem suits workers sharing it (locks, atomic publish, caching), print one line per check, and exit: 0 all ok, 1 warnings";

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
      'duplicate-arguments-array': false,
      // Only the declared spellings: an unknown flag is reported once, as typed.
      'camel-case-expansion': false,
    })
    .strict()
    .help()
    .alias('help', 'h')
    .version(false);
  // Not global: the worker's options are refused after `check-repo`, which takes only the repo dir.
  for (const [key, spec] of Object.entries(OPTIONS)) parser.option(key, { ...yargsOption(spec), global: false });
  parser.command(CHECK_REPO, CHECK_REPO_DESCRIPTION, (command) => command.option('repo-dir', yargsOption(OPTIONS['repo-dir'])));
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
