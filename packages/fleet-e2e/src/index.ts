export type { AddWorkerOptions, Fleet, FleetOptions } from './fleet.js';
export { startFleet } from './fleet.js';
export type { InstallReport } from './install-report.js';
export { installReport } from './install-report.js';
export { lightningPlan } from './lightning-plan.js';
export type { LogLine, WorkerProcess, WorkerProcessOptions } from './worker-process.js';
export { startWorkerProcess, WS_WORKER_BIN } from './worker-process.js';
export type { Host, HostCommandOptions, Hosts } from './multi-host.js';
export { multiHostUnavailable, onHost, startHosts } from './multi-host.js';
