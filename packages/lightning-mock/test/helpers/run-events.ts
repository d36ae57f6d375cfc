import { randomUUID } from 'node:crypto';

/** Valid run-channel payloads, shaped as a worker sends them; override fields to break one. */

export const micros = (): string => String(Date.now() * 1000);

export const runStart = (): Record<string, unknown> => ({
  versions: { worker: '0.1.0', node: '20.20.2', '@openfn/language-common': ['1.0.0'] },
  timestamp: micros(),
});

export const stepStart = (jobId: string, stepId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  job_id: jobId,
  step_id: stepId,
  timestamp: micros(),
  ...extra,
});

export const runLog = (runId: string, message: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  run_id: runId,
  message,
  source: 'JOB',
  level: 'info',
  timestamp: micros(),
  ...extra,
});

export const stepComplete = (jobId: string, stepId: string, output: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  job_id: jobId,
  step_id: stepId,
  output_dataclip_id: randomUUID(),
  output_dataclip: JSON.stringify(output),
  reason: 'success',
  error_type: null,
  error_message: null,
  mem: { job: 1024, system: 4096 },
  duration: 12,
  thread_id: 1,
  timestamp: micros(),
  ...extra,
});

export const runComplete = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  reason: 'success',
  error_type: null,
  error_message: null,
  timestamp: micros(),
  ...extra,
});
