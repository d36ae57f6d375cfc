import * as recast from 'recast';
import { importDeclaration } from './import-declaration.js';
import type { JobAst } from './parse.js';

type Node = recast.types.namedTypes.Node;
type CallExpression = recast.types.namedTypes.CallExpression;
type MemberExpression = recast.types.namedTypes.MemberExpression;
type Expression = recast.types.namedTypes.Expression;
type Program = recast.types.namedTypes.Program;

const b = recast.types.builders;
const n = recast.types.namedTypes;

export const DEFER = '_defer';
const RUNTIME = '@openfn/runtime';

/** A call whose callee is `<something>.then` or `<something>.catch`. */
type PromiseLink = CallExpression & { callee: MemberExpression & { object: Expression } };

/**
 * `fn(a).then(b).catch(c)` at the top of a job would call `fn(a)` (getting an
 * operation, not a promise) and then fail on `.then`. It becomes
 * `_defer(fn(a), p => p.then(b).catch(c))`: an operation that runs `fn(a)` with
 * the state and replays the chain on its result. Calls inside functions or
 * blocks are ordinary code and stay as they are.
 */
export function deferPromiseChains(ast: JobAst): void {
  let deferred = false;
  for (const statement of ast.program.body) {
    if (!n.ExpressionStatement.check(statement)) continue;
    const chain = splitPromiseChain(statement.expression);
    if (!chain) continue;
    statement.expression = deferCall(chain.operation, chain.links);
    deferred = true;
  }
  if (deferred) addDeferImport(ast.program);
}

/** The operation call at the bottom of a `.then`/`.catch` chain, and the links above it, outermost first. */
function splitPromiseChain(expression: Node): { operation: CallExpression; links: PromiseLink[] } | undefined {
  const links: PromiseLink[] = [];
  let current = expression;
  while (isPromiseLink(current)) {
    links.push(current);
    current = current.callee.object;
  }
  if (links.length === 0 || !n.CallExpression.check(current)) return undefined;
  return { operation: current, links };
}

function isPromiseLink(node: Node): node is PromiseLink {
  return (
    n.CallExpression.check(node) &&
    n.MemberExpression.check(node.callee) &&
    !node.callee.computed &&
    n.Identifier.check(node.callee.property) &&
    (node.callee.property.name === 'then' || node.callee.property.name === 'catch')
  );
}

function deferCall(operation: CallExpression, links: PromiseLink[]): CallExpression {
  const outermost = links[0];
  const innermost = links[links.length - 1];
  const promise = b.identifier(unusedName('p', outermost));
  innermost.callee.object = promise;
  return b.callExpression(b.identifier(DEFER), [operation, b.arrowFunctionExpression([promise], outermost)]);
}

/** `base`, or `base1`, `base2`, … : a parameter name that captures nothing the chain refers to. */
function unusedName(base: string, chain: Node): string {
  const used = new Set<string>();
  recast.visit(chain, {
    visitIdentifier(path) {
      used.add(path.node.name);
      this.traverse(path);
    },
  });
  let name = base;
  for (let suffix = 1; used.has(name); suffix += 1) name = `${base}${suffix}`;
  return name;
}

/** After the job's own imports, so their order is kept; once, however many chains there are. */
function addDeferImport(program: Program): void {
  const declared = program.body.some(
    (statement) =>
      n.ImportDeclaration.check(statement) && statement.specifiers?.some((specifier) => specifier.local?.name === DEFER),
  );
  if (declared) return;
  const afterImports = program.body.findLastIndex((statement) => n.ImportDeclaration.check(statement)) + 1;
  program.body.splice(afterImports, 0, importDeclaration([{ imported: 'defer', local: DEFER }], RUNTIME));
}
