import { readFileSync } from 'node:fs';

// src/util and dist/util are both two levels below the package root.
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** This worker's version, as it reports itself to Lightning. */
export const workerVersion: string = manifest.version;
