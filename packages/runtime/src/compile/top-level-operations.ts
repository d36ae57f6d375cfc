import * as recast from 'recast';
import { CompileError } from './compile-error.js';
import type { JobAst } from './parse.js';
import { startOf } from './positions.js';
import { DEFER } from './promises.js';

type Node = recast.types.namedTypes.Node;
type Program = recast.types.namedTypes.Program;
type ArrayExpression = recast.types.namedTypes.ArrayExpression;
type Statement = Program['body'][number];

const b = recast.types.builders;
const n = recast.types.namedTypes;

/** One entry of the module's default export, for naming it in logs and errors. */
export interface OperationInfo {
  /** The callee of a plain call such as `get(…)`; undefined for `http.get(…)` and anything else. */
  name?: string;
  /** 1-based line in the user's source. */
  line: number;
}

/**
 * Each top-level call in a job is an operation: it is taken out of the body
 * and appended, in source order, to the module's `export default [ … ]`,
 * which the executor then runs in order. Returns a description of every entry
 * of that array, so that entry `i` of the result is operation `i`.
 */
export function hoistOperations(ast: JobAst, stepId: string): OperationInfo[] {
  const program = ast.program;
  const operations = defaultExportArray(program, stepId);
  const calls = program.body.filter(isOperationStatement);
  program.body = program.body.filter((statement) => !isOperationStatement(statement));
  // The statements' comments are dropped: inside the array they would land in odd
  // places, and the source map leads a reader back to the original anyway.
  operations.elements.push(...calls.map((statement) => statement.expression));
  return operations.elements.map((element) => describe(element as Node | null));
}

type OperationStatement = recast.types.namedTypes.ExpressionStatement & {
  expression: recast.types.namedTypes.CallExpression;
};

const isOperationStatement = (statement: Statement): statement is OperationStatement =>
  n.ExpressionStatement.check(statement) && n.CallExpression.check(statement.expression);

/** The array the job already default-exports, or a new empty one at the end of the module. */
function defaultExportArray(program: Program, stepId: string): ArrayExpression {
  for (const statement of program.body) {
    if (n.ExportNamedDeclaration.check(statement)) {
      const asDefault = statement.specifiers?.find(
        (specifier) => n.ExportSpecifier.check(specifier) && exportedName(specifier.exported) === 'default',
      );
      if (asDefault) throw notAnArray(stepId, asDefault);
    }
    if (n.ExportDefaultDeclaration.check(statement)) {
      if (!n.ArrayExpression.check(statement.declaration)) throw notAnArray(stepId, statement);
      return statement.declaration;
    }
  }
  const operations = b.arrayExpression([]);
  program.body.push(b.exportDefaultDeclaration(operations));
  return operations;
}

// ES2022 allows string export names: `export { x as "default" }`.
const exportedName = (exported: Node): unknown =>
  n.Identifier.check(exported) ? exported.name : (exported as { value?: unknown }).value;

const notAnArray = (stepId: string, node: Node): CompileError =>
  new CompileError(stepId, 'export default must be an array of operations', startOf(node));

function describe(element: Node | null): OperationInfo {
  // For a deferred chain, the operation the user wrote is the first argument of `_defer`.
  const operation = element && isDeferCall(element) ? (element.arguments[0] as Node) : element;
  const callee = n.CallExpression.check(operation) ? operation.callee : undefined;
  return { name: n.Identifier.check(callee) ? callee.name : undefined, line: startOf(operation).line };
}

const isDeferCall = (node: Node): node is recast.types.namedTypes.CallExpression =>
  n.CallExpression.check(node) && n.Identifier.check(node.callee) && node.callee.name === DEFER;
