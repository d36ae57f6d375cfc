import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A logger that keeps every message, for tests that check what an operator would read. */
export function memoryLogger(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      messages.push(String(JSON.parse(chunk.toString()).msg));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), messages };
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
