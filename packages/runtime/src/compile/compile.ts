import * as recast from 'recast';
import { addAdaptorImports, type AdaptorExports } from './add-imports.js';
import { lazyState } from './lazy-state.js';
import { parse } from './parse.js';
import { deferPromiseChains } from './promises.js';
import { hoistOperations, type OperationInfo } from './top-level-operations.js';

export { CompileError } from './compile-error.js';
export type { AdaptorExports } from './add-imports.js';
export type { OperationInfo } from './top-level-operations.js';

export interface CompileOptions {
  /** Named in errors and in the source map. */
  stepId: string;
  /** The step's adaptors in order of precedence, each with the names it really exports. */
  adaptors?: AdaptorExports[];
}

export interface CompiledJob {
  /** An ES module whose default export is the array of operations. */
  code: string;
  /** Source map v3 from `code` back to the expression, both named `${stepId}.js`. */
  map: object;
  /** Entry `i` describes operation `i` of the default export. */
  operations: OperationInfo[];
}

/**
 * Turns a job expression into an ES module the executor can run. The order of
 * the transforms matters: lazy state and promise chains rewrite top-level
 * calls before those calls are collected as operations, and imports are added
 * last, once every name the job uses is known.
 */
export function compile(expression: string, options: CompileOptions): CompiledJob {
  const { stepId, adaptors = [] } = options;
  const ast = parse(expression, stepId);
  lazyState(ast, stepId);
  deferPromiseChains(ast);
  const operations = hoistOperations(ast, stepId);
  addAdaptorImports(ast, adaptors);
  const file = `${stepId}.js`;
  const { code, map } = recast.print(ast, { sourceMapName: file });
  // recast records the source with tabs expanded, and no source at all for an empty job.
  return { code, map: { ...map, sources: [file], sourcesContent: [expression] }, operations };
}
