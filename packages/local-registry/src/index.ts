export type { LocalRegistry, StartOptions } from './start-registry.js';
export { startRegistry } from './start-registry.js';
export { fixtures, postinstallMarker } from './fixtures.js';
export type { LargeAdaptorOptions } from './large-fixture.js';
export { publishLargeAdaptor } from './large-fixture.js';
export type { FixtureTree } from './load-fixture-tree.js';
export { loadFixtureTree } from './load-fixture-tree.js';
