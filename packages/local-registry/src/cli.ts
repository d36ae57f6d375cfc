#!/usr/bin/env node
import { startRegistry } from './start-registry.js';

const registry = await startRegistry();
console.log(registry.url);

const stop = (): void => void registry.stop();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
