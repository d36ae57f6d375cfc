import { SourceMap, type SourceMapPayload } from 'node:module';
import type { JobStep } from '../plan.js';

/** 1-based line and column in the job's own source. */
export interface JobPosition {
  line: number;
  column: number;
}

/**
 * Where in the user's job an error happened: the innermost stack frame in the
 * step's module (named `<step id>.js` when evaluated), mapped back through the
 * compiler's source map, since the compiled code moves operations around.
 */
export function jobPosition(thrown: unknown, step: JobStep): JobPosition | undefined {
  const stack = (thrown as { stack?: unknown } | null | undefined)?.stack;
  if (typeof stack !== 'string') return undefined;
  const module = `${step.id}.js`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`[\\s(]${module}:(\\d+):(\\d+)\\)?$`, 'm').exec(stack);
  if (!frame) return undefined;
  const generated = { line: Number(frame[1]), column: Number(frame[2]) };
  if (!step.sourceMap) return generated;
  const entry = new SourceMap(step.sourceMap as SourceMapPayload).findEntry(generated.line - 1, generated.column - 1);
  return 'originalLine' in entry ? { line: entry.originalLine + 1, column: entry.originalColumn + 1 } : undefined;
}
