#!/usr/bin/env node
import { checkRepo } from '@fleet/engine-multi';
import { pino, type Logger } from 'pino';
import { startWorker, type WorkerHandle } from './start.js';
import { HelpRequested, parseInvocation } from './util/cli.js';
import { ConfigError } from './util/config-error.js';
import { reportLines } from './util/repo-check-report.js';
import { checkRepoDir } from './util/repo-dir.js';

// The usual exit code for a usage error: a supervisor can tell a configuration
// to fix from a crash worth a restart.
const EXIT_CONFIG_ERROR = 2;
// `check-repo` found something to fix.
const EXIT_WARNINGS = 1;
// What a shell reports for a process ended by SIGINT: the operator insisted.
const EXIT_FORCED = 130;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  try {
    const invocation = parseInvocation(argv, env);
    if (invocation.command === 'check-repo') return await checkRepoCommand(invocation.repoDir);
    const { config } = invocation;
    await checkRepoDir(config.repoDir);
    const logger = pino({ name: 'ws-worker', level: config.logLevel });
    stopOnSignals(await startWorker(config, logger), logger);
    return undefined;
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

// No checkRepoDir first: a repo dir this process cannot write to is one of the findings.
async function checkRepoCommand(repoDir: string): Promise<number> {
  const result = await checkRepo(repoDir);
  process.stdout.write(`${reportLines(result).join('\n')}\n`);
  return result.ok ? 0 : EXIT_WARNINGS;
}

/**
 * SIGTERM or SIGINT shuts the worker down gracefully, then exits 0; a second
 * signal exits at once. The exit is explicit: an npm install still running for
 * a killed run would otherwise hold the process open.
 */
function stopOnSignals(worker: WorkerHandle, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting for the shutdown`);
      process.exit(EXIT_FORCED);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    worker.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`Shutdown failed: ${error.stack ?? error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

// exitCode rather than exit(): pending log writes still reach the stream. A
// running worker returns no code and keeps the process alive.
const code = await main(process.argv.slice(2), process.env);
if (code !== undefined) process.exitCode = code;
