#!/usr/bin/env node
import { pino } from 'pino';
import { startWorker } from './start.js';
import { HelpRequested, parseConfig } from './util/cli.js';
import { ConfigError } from './util/config-error.js';
import { checkRepoDir } from './util/repo-dir.js';

// The usual exit code for a usage error: a supervisor can tell a configuration
// to fix from a crash worth a restart.
const EXIT_CONFIG_ERROR = 2;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const config = parseConfig(argv, env);
    await checkRepoDir(config.repoDir);
    await startWorker(config, pino({ name: 'ws-worker', level: config.logLevel }));
    return 0;
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(`${error.text}\n`);
      return 0;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT_CONFIG_ERROR;
    }
    throw error;
  }
}

// exitCode rather than exit(): pending log writes still reach the stream.
process.exitCode = await main(process.argv.slice(2), process.env);
