import { readFile } from 'node:fs/promises';
import test from 'ava';

// .nvmrc pins the Node.js that CI and development run on (engine-strict makes
// pnpm refuse one below engines.node); the image must ship that same Node.

const read = (file: string) => readFile(new URL(`../../../${file}`, import.meta.url), 'utf8');

test('the Dockerfile builds on the exact Node.js version that .nvmrc pins', async (t) => {
  const pinned = (await read('.nvmrc')).trim();
  t.regex(pinned, /^\d+\.\d+\.\d+$/, '.nvmrc holds an exact version');
  t.is((await read('Dockerfile')).match(/^ARG NODE_VERSION=(.+)$/m)?.[1], pinned);
});
