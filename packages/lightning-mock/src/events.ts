import type { ClaimedRun, RunDetails } from './types.js';
import { TypedEmitter } from './typed-emitter.js';

/** What `mock.on(name, fn)` can observe. */
export interface MockEvents {
  connect: { connectionId: number; workerId: string | null };
  disconnect: { connectionId: number; workerId: string | null };
  /** `payload`: what the client joined with (a worker's capacity and queues, say). */
  join: { connectionId: number; topic: string; payload: unknown };
  enqueue: { runId: string };
  claim: { connectionId: number; workerName: string | null; demand: number; queues: string[] | null; runs: ClaimedRun[] };
  /** A run-channel event the mock accepted (after validation, before the reply is sent). */
  event: { runId: string; event: string; payload: unknown };
  /** A run reached a final status, `lost` included. */
  'run-complete': RunDetails;
  close: undefined;
}

export type MockEmitter = TypedEmitter<MockEvents>;

export const createMockEmitter = (): MockEmitter => new TypedEmitter<MockEvents>();
