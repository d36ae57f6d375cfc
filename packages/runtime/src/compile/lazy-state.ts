import * as recast from 'recast';
import { CompileError } from './compile-error.js';
import { findFreeReferences, type IdentifierPath } from './free-references.js';
import type { JobAst } from './parse.js';
import { positionOf } from './positions.js';

const b = recast.types.builders;
const n = recast.types.namedTypes;

type NodePath = recast.types.NodePath;
type Node = recast.types.namedTypes.Node;
type ArrowBody = Parameters<typeof b.arrowFunctionExpression>[1];

/**
 * `$.a.b` is shorthand for "the state this operation receives": `$` becomes
 * `state` and the operation argument holding it becomes `(state) => …`, so the
 * value is read when the operation runs, not when the job is loaded. A `$`
 * the job declares itself is left alone.
 */
export function lazyState(ast: JobAst, stepId: string): void {
  const argumentsToWrap = new Set<NodePath>();
  for (const dollar of findFreeReferences(ast).filter((path) => path.node.name === '$')) {
    const argument = enclosingCallArgument(dollar);
    if (!argument) throw new CompileError(stepId, '$ must be used inside an operation', positionOf(dollar));
    assertStateIsNotRedeclared(dollar, argument, stepId);
    dollar.node.name = 'state';
    argumentsToWrap.add(argument);
  }
  for (const argument of argumentsToWrap) wrapInStateFunction(argument, stepId);
}

function enclosingCallArgument(path: NodePath): NodePath | undefined {
  for (let current = path; current.parentPath; current = current.parentPath) {
    if (current.parentPath.name === 'arguments' && n.CallExpression.check(current.parent?.node)) return current;
  }
  return undefined;
}

/** The argument is already a function of state, or becomes one. */
function wrapInStateFunction(argument: NodePath, stepId: string): void {
  const node = argument.node as Node;
  if (n.ArrowFunctionExpression.check(node) || n.FunctionExpression.check(node)) {
    const [param] = node.params;
    if (node.params.length !== 1 || !n.Identifier.check(param) || param.name !== 'state') {
      // Wrapping a function in another would hand the adaptor a function that returns a function.
      throw new CompileError(stepId, 'a function that uses $ must take exactly one parameter, named state', positionOf(argument));
    }
    return;
  }
  argument.replace(b.arrowFunctionExpression([b.identifier('state')], node as ArrowBody));
}

/**
 * Inside the argument, a nearer `state` (a parameter or variable of a nested
 * function) would capture the rewritten `$` and silently read the wrong value.
 */
function assertStateIsNotRedeclared(dollar: IdentifierPath, argument: NodePath, stepId: string): void {
  const scope = dollar.scope?.lookup('state');
  if (!scope || scope.node === argument.node || !isWithin(scope.path, argument)) return;
  throw new CompileError(stepId, "$ stands for the operation's state, but a nearer declaration of state hides it", positionOf(dollar));
}

function isWithin(path: NodePath, ancestor: NodePath): boolean {
  for (let current: NodePath | null = path; current; current = current.parentPath) {
    if (current.node === ancestor.node) return true;
  }
  return false;
}
