export * from './events.js';
export * from './fields.js';
export * from './limits.js';
export * from './plan.js';
export * from './problems.js';
