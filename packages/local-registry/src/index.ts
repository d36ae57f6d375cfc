export type { LocalRegistry, StartOptions } from './start-registry.js';
export { startRegistry } from './start-registry.js';
export { fixtures, postinstallMarker } from './fixtures.js';
export type { FixtureTree } from './load-fixture-tree.js';
export { loadFixtureTree } from './load-fixture-tree.js';
