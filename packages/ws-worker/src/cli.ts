#!/usr/bin/env node
import { destination, pino, type Logger } from 'pino';
import { checkRepoCommand } from './commands/check-repo.js';
import { repoInstallCommand } from './commands/repo-install.js';
import { repoPruneCommand } from './commands/repo-prune.js';
import { repoStatusCommand } from './commands/repo-status.js';
import { startWorker, type WorkerHandle } from './start.js';
import { HelpRequested, parseInvocation, type Invocation } from './util/cli.js';
import { ConfigError } from './util/config-error.js';
import { checkRepoDir } from './util/repo-dir.js';

// The usual exit code for a usage error: a supervisor can tell a configuration
// to fix from a crash worth a restart.
const EXIT_CONFIG_ERROR = 2;
// What a shell reports for a process ended by SIGINT: the operator insisted.
const EXIT_FORCED = 130;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  try {
    const invocation = parseInvocation(argv, env);
    if (invocation.command !== 'start') return await operatorCommand(invocation);
    const { config } = invocation;
    await checkRepoDir('repo-dir', config.repoDir);
    await checkRepoDir('cache-dir', config.cacheDir);
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

// No checkRepoDir first: a repo dir this process cannot write to is one of check-repo's findings.
// Logs go to stderr: stdout is the command's report (JSON for `repo status --json`).
function operatorCommand(invocation: Exclude<Invocation, { command: 'start' }>): Promise<number> {
  const write = (text: string): void => void process.stdout.write(text);
  const logger = pino({ name: 'ws-worker', level: 'warn' }, destination(2));
  switch (invocation.command) {
    case 'check-repo':
      return checkRepoCommand(invocation, write);
    case 'repo status':
      return repoStatusCommand(invocation, write);
    case 'repo install':
      return repoInstallCommand(invocation, write, logger);
    case 'repo prune':
      return repoPruneCommand(invocation, write, logger);
  }
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
