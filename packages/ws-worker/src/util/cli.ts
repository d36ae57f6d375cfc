import { createRequire } from 'node:module';
import type { Argv, Options } from 'yargs';
import type Yargs from 'yargs/yargs';
import { ConfigError } from './config-error.js';
import { optionSource } from './option-source.js';
import { OPTIONS, type OptionSpec } from './options.js';
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

/**
 * The worker configuration from a command line and an environment. Pure: it reads
 * neither process.argv nor process.env, prints nothing and never exits. Throws
 * ConfigError for bad input and HelpRequested for `--help`.
 */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): WorkerConfig {
  return buildWorkerConfig(optionSource(parseFlags(argv), env));
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

Each option can also be set by its environment variable; a flag beats its variable, which beats the default.`;

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
  for (const [key, spec] of Object.entries(OPTIONS)) parser.option(key, yargsOption(spec));
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
