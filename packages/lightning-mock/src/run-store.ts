import { RunNotFoundError } from './errors.js';
import type { MockEmitter } from './events.js';
import { isFinal, statusForReason } from './run-status.js';
import type { EventContext, RunEvent } from './validate-event.js';
import type {
  ExitReason,
  LightningPlan,
  RecordedEvent,
  RunDetails,
  RunLogLine,
  RunReason,
  RunStatus,
  RunSummary,
} from './types.js';

interface RunRecord {
  plan: LightningPlan;
  /** The work queue it waits in: `manual` for runs a user started, `default` for the rest. */
  queue: string;
  status: RunStatus;
  reason: RunReason | null;
  errorType: string | null;
  errorMessage: string | null;
  finalDataclipId: string | null;
  finalState: unknown;
  workerName: string | null;
  workerId: string | null;
  /** The connection answerable for the run: the claimer, then whoever joined its channel last. */
  owner: number | null;
  events: RecordedEvent[];
  /** Events answered with an error reply carrying this reason (EnqueueOptions.refuse). */
  refusals: Partial<Record<RunEvent, string>>;
  /** What fetch:plan answers instead of the plan (EnqueueOptions.planReply). */
  planReply: unknown;
  logs: RunLogLine[];
  logIds: Set<string>;
  context: { runId: string; jobIds: Set<string>; steps: Map<string, string>; outputDataclipIds: Set<string> };
}

export interface Claimant {
  connectionId: number;
  workerName: string | null;
  workerId: string | null;
}

export interface Ending {
  reason: RunReason;
  errorType: string | null;
  errorMessage: string | null;
}

export const DEFAULT_QUEUE = 'default';

/** Runs, the FIFO claim queue, and the credential and dataclip stores the run channel serves from. */
export class RunStore {
  private readonly runs = new Map<string, RunRecord>();
  private readonly queue: string[] = [];
  readonly credentials = new Map<string, unknown>();
  /** Stored as JSON text: fetch:dataclip replies with these bytes as they are. */
  readonly dataclips = new Map<string, string>();

  constructor(private readonly emitter: MockEmitter) {}

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  enqueue(plan: LightningPlan, { refusals = {}, queue = DEFAULT_QUEUE, planReply }: { refusals?: Partial<Record<RunEvent, string>>; queue?: string | undefined; planReply?: unknown } = {}): void {
    this.runs.set(plan.id, {
      plan,
      queue,
      planReply,
      status: 'queued',
      reason: null,
      errorType: null,
      errorMessage: null,
      finalDataclipId: null,
      finalState: null,
      workerName: null,
      workerId: null,
      owner: null,
      events: [],
      refusals,
      logs: [],
      logIds: new Set(),
      context: { runId: plan.id, jobIds: new Set(plan.jobs.map((j) => j.id)), steps: new Map(), outputDataclipIds: new Set() },
    });
    this.queue.push(plan.id);
    this.emitter.emit('enqueue', { runId: plan.id });
  }

  /**
   * Takes up to `demand` runs, synchronously, so two claims never share a run:
   * the oldest of the first queue named that has one, `*` meaning any queue,
   * as Lightning does.
   */
  claim(demand: number, claimant: Claimant, queues: readonly string[] = ['*']): string[] {
    const ids: string[] = [];
    while (ids.length < demand) {
      const index = this.nextIndex(queues);
      if (index === -1) break;
      ids.push(...this.queue.splice(index, 1));
    }
    for (const id of ids) {
      Object.assign(this.record(id), { status: 'claimed', owner: claimant.connectionId, workerName: claimant.workerName, workerId: claimant.workerId });
    }
    return ids;
  }

  private nextIndex(queues: readonly string[]): number {
    for (const name of queues) {
      const index = name === '*' ? (this.queue.length > 0 ? 0 : -1) : this.queue.findIndex((id) => this.record(id).queue === name);
      if (index !== -1) return index;
    }
    return -1;
  }

  plan(runId: string): LightningPlan {
    return this.record(runId).plan;
  }

  /** What fetch:plan answers: the plan, unless the run was enqueued with another reply. */
  planReply(runId: string): unknown {
    const run = this.record(runId);
    return run.planReply === undefined ? run.plan : run.planReply;
  }

  status(runId: string): RunStatus {
    return this.record(runId).status;
  }

  refusal(runId: string, event: RunEvent): string | undefined {
    return this.record(runId).refusals[event];
  }

  context(runId: string): EventContext {
    return this.record(runId).context;
  }

  setOwner(runId: string, connectionId: number): void {
    this.record(runId).owner = connectionId;
  }

  /** Pending runs the connection is answerable for. */
  ownedBy(connectionId: number): string[] {
    return [...this.runs.entries()]
      .filter(([, run]) => run.owner === connectionId && !isFinal(run.status))
      .map(([id]) => id);
  }

  /** Records an event that passed validation and applies what it means for the run. */
  accept(runId: string, event: RunEvent, payload: Record<string, unknown>): void {
    const run = this.record(runId);
    run.events.push({ event, payload, receivedAt: new Date().toISOString() });
    this.apply(run, event, payload);
    this.emitter.emit('event', { runId, event, payload });
    if (event === 'run:complete') {
      this.finish(run, {
        reason: payload.reason as ExitReason,
        errorType: (payload.error_type as string | null) ?? null,
        errorMessage: (payload.error_message as string | null) ?? null,
      });
    }
  }

  /** Ends a pending run without the worker's say (a lost worker). No-op for a finished run. */
  end(runId: string, ending: Ending): void {
    const run = this.record(runId);
    if (!isFinal(run.status)) this.finish(run, ending);
  }

  details(runId: string): RunDetails | undefined {
    const run = this.runs.get(runId);
    return run && structuredClone(toDetails(run));
  }

  list(): RunSummary[] {
    return [...this.runs.values()].map(toSummary);
  }

  private apply(run: RunRecord, event: RunEvent, payload: Record<string, unknown>): void {
    switch (event) {
      case 'run:start':
        run.status = 'started';
        return;
      case 'step:start':
        run.context.steps.set(payload.step_id as string, payload.job_id as string);
        return;
      case 'step:complete':
        this.storeStepOutput(run, payload);
        return;
      case 'run:log':
        this.storeLog(run, payload as unknown as RunLogLine);
        return;
      case 'run:batch_logs':
        for (const line of payload.logs as Omit<RunLogLine, 'run_id'>[]) this.storeLog(run, { ...line, run_id: run.plan.id });
        return;
      case 'run:complete':
        run.finalDataclipId = (payload.final_dataclip_id as string | undefined) ?? null;
        run.finalState = payload.final_state ?? null;
        return;
    }
  }

  // As Lightning's log table, unique on (id, run_id): a line sent again is stored once.
  private storeLog(run: RunRecord, line: RunLogLine): void {
    if (line.id !== undefined) {
      if (run.logIds.has(line.id)) return;
      run.logIds.add(line.id);
    }
    run.logs.push(line);
  }

  private storeStepOutput(run: RunRecord, { output_dataclip_id: id, output_dataclip: body }: Record<string, unknown>): void {
    if (typeof id !== 'string') return;
    run.context.outputDataclipIds.add(id);
    if (typeof body === 'string') this.dataclips.set(id, body);
  }

  private finish(run: RunRecord, { reason, errorType, errorMessage }: Ending): void {
    Object.assign(run, { status: statusForReason(reason), reason, errorType, errorMessage, owner: null });
    this.emitter.emit('run-complete', structuredClone(toDetails(run)));
  }

  private record(runId: string): RunRecord {
    const run = this.runs.get(runId);
    if (!run) throw new RunNotFoundError(runId);
    return run;
  }
}

function toSummary(run: RunRecord): RunSummary {
  return {
    id: run.plan.id,
    status: run.status,
    reason: run.reason,
    errorType: run.errorType,
    errorMessage: run.errorMessage,
    workerName: run.workerName,
    workerId: run.workerId,
  };
}

function toDetails(run: RunRecord): RunDetails {
  return {
    ...toSummary(run),
    plan: run.plan,
    finalDataclipId: run.finalDataclipId,
    finalState: run.finalState,
    events: run.events,
    logs: run.logs,
  };
}
