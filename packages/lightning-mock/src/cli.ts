#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { Logger } from '@fleet/runtime';
import { createLightningMock } from './server.js';

// Logs go to stderr so that stdout carries only the URL line scripts wait for.
const stderrLogger: Logger = {
  debug: () => {},
  info: (message) => console.error(message),
  warn: (message) => console.error(`WARN ${message}`),
  error: (message) => console.error(`ERROR ${message}`),
};

const argv = yargs(hideBin(process.argv))
  .scriptName('lightning-mock')
  .usage('$0 [options]\n\nA Lightning-protocol server for local runs, demos and tests.')
  .option('port', { alias: 'p', type: 'number', default: 8888, describe: 'Port for the worker websocket and the HTTP dev API' })
  .option('host', { type: 'string', default: '127.0.0.1', describe: 'Interface to listen on' })
  .option('secret', {
    type: 'string',
    default: process.env.WORKER_SECRET,
    defaultDescription: '$WORKER_SECRET',
    describe: 'Worker secret; when set, worker tokens must be signed with it',
  })
  .option('run-private-key', {
    type: 'string',
    default: process.env.WORKER_RUNS_PRIVATE_KEY,
    defaultDescription: '$WORKER_RUNS_PRIVATE_KEY',
    describe: 'Base64 of a PEM RSA private key to sign run tokens with (RS256)',
  })
  .strict()
  .fail((message, error) => {
    console.error(`lightning-mock: ${message ?? error?.message}`);
    process.exit(1);
  })
  .parseSync();

try {
  const mock = await createLightningMock({
    port: argv.port,
    host: argv.host,
    secret: argv.secret,
    runPrivateKey: argv['run-private-key'],
    logger: stderrLogger,
  });
  const stop = async (): Promise<void> => {
    await mock.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Only now: a script may signal as soon as it reads the URL, and a signal
  // that arrives before the handlers exist kills the process outright.
  console.log(mock.url);
} catch (error) {
  // A bad option or a busy port is one line for an operator, not a stack trace.
  console.error(`lightning-mock: ${(error as Error).message}`);
  process.exit(1);
}
