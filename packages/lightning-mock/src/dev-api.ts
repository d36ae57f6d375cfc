import { randomUUID } from 'node:crypto';
import { checkPlan, describeProblem } from '@fleet/lightning-protocol';
import { InvalidOptionsError, InvalidPlanError, MockClosedError, RunNotFoundError, RunTimeoutError } from './errors.js';
import type { MockEmitter } from './events.js';
import { isFinal } from './run-status.js';
import type { CollectionStore } from './collections.js';
import type { RunStore } from './run-store.js';
import type { LightningPlan, RunDetails, RunSummary } from './types.js';
import { isRunEvent, type RunEvent } from './validate-event.js';

export interface EnqueueOptions {
  /** The run's input. Stored under the plan's `dataclip_id`, or a new id that is set on the plan. */
  dataclip?: unknown;
  /** Credential bodies by id, for `fetch:credential` (jobs name them in `credential_id`). */
  credentials?: Record<string, unknown>;
  /**
   * Run-channel events the mock answers with an error reply `{ reason }` for
   * this run, e.g. `{ 'fetch:plan': 'unavailable' }`: a Lightning that fails,
   * for tests of a worker's error paths.
   */
  refuse?: Partial<Record<RunEvent, string>>;
  /** The work queue the run waits in. Default `default`; a run a user started is in `manual`. */
  queue?: string;
  /**
   * What `fetch:plan` answers with instead of the plan (which is still checked
   * and kept for the run's record): a Lightning that sends a malformed plan, for
   * tests of a worker's own plan checks.
   */
  planReply?: unknown;
}

export interface WaitOptions {
  /** Reject with RunTimeoutError after this long. Default 60 000. */
  timeoutMs?: number;
}

export interface DevApi {
  /** Validates the plan (throws InvalidPlanError), queues the run, returns its id. */
  enqueueRun(plan: unknown, options?: EnqueueOptions): string;
  getRun(runId: string): RunDetails | undefined;
  listRuns(): RunSummary[];
  /** Resolves with the run once it has a final status (`lost` included). */
  waitForRun(runId: string, options?: WaitOptions): Promise<RunDetails>;
  waitForAll(runIds: string[], options?: WaitOptions): Promise<RunDetails[]>;
  /** A dataclip by id: an input, or a step's output as reported in `step:complete`. */
  getDataclip(id: string): unknown;
  /** Creates a collection jobs can use (as a project's user does in Lightning); a no-op if it exists. */
  createCollection(name: string): void;
  /** A collection's values by key, parsed; undefined if there is no such collection. */
  getCollection(name: string): Record<string, unknown> | undefined;
}

const DEFAULT_WAIT_MS = 60_000;

export function createDevApi(store: RunStore, emitter: MockEmitter, collections: CollectionStore): DevApi {
  function enqueueRun(input: unknown, { dataclip, credentials = {}, refuse = {}, queue, planReply }: EnqueueOptions = {}): string {
    const checked = checkPlan(withId(input));
    if (!checked.ok) throw new InvalidPlanError(checked.problems.map(describeProblem));
    const unknownEvents = Object.keys(refuse).filter((event) => !isRunEvent(event));
    if (unknownEvents.length > 0) throw new InvalidOptionsError(`refuse names events that are not run events: ${unknownEvents.join(', ')}`);
    if (queue !== undefined && !/^\w+$/.test(queue)) throw new InvalidOptionsError(`queue must be a name of letters, digits and _, not ${JSON.stringify(queue)}`);
    const plan: LightningPlan = { ...checked.value, triggers: checked.value.triggers ?? [], edges: checked.value.edges ?? [] };
    if (store.has(plan.id)) throw new InvalidPlanError([`id ${plan.id} is already the id of an enqueued run`]);
    if (dataclip !== undefined) {
      plan.dataclip_id ??= randomUUID();
      store.dataclips.set(plan.dataclip_id, JSON.stringify(dataclip));
    }
    for (const [credentialId, body] of Object.entries(credentials)) store.credentials.set(credentialId, body);
    store.enqueue(plan, { refusals: refuse, queue, planReply });
    return plan.id;
  }

  function waitForRun(runId: string, { timeoutMs = DEFAULT_WAIT_MS }: WaitOptions = {}): Promise<RunDetails> {
    const current = store.details(runId);
    if (!current) return Promise.reject(new RunNotFoundError(runId));
    if (isFinal(current.status)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        emitter.off('run-complete', onComplete);
        emitter.off('close', onClose);
      };
      const onComplete = (run: RunDetails): void => {
        if (run.id !== runId) return;
        settle();
        resolve(run);
      };
      const onClose = (): void => {
        settle();
        reject(new MockClosedError());
      };
      const timer = setTimeout(() => {
        settle();
        reject(new RunTimeoutError(runId, timeoutMs, store.status(runId)));
      }, timeoutMs);
      emitter.on('run-complete', onComplete);
      emitter.on('close', onClose);
    });
  }

  return {
    enqueueRun,
    getRun: (runId) => store.details(runId),
    listRuns: () => store.list(),
    waitForRun,
    waitForAll: (runIds, options) => Promise.all(runIds.map((runId) => waitForRun(runId, options))),
    createCollection: (name) => collections.create(name),
    getCollection: (name) => collections.contents(name),
    getDataclip(id) {
      const json = store.dataclips.get(id);
      return json === undefined ? undefined : JSON.parse(json);
    },
  };
}

// A plan may leave its id to the mock, as a test that does not care about ids would.
const withId = (plan: unknown): unknown =>
  typeof plan === 'object' && plan !== null && !Array.isArray(plan) && !('id' in plan) ? { ...plan, id: randomUUID() } : plan;
