import * as recast from 'recast';
import type { JobAst } from './parse.js';

type Identifier = recast.types.namedTypes.Identifier;
export type IdentifierPath = recast.types.NodePath<Identifier>;

/**
 * Every identifier that names a variable but resolves to no declaration in any
 * enclosing scope, in source order: what the job expects its surroundings
 * (lazy state, an adaptor, the sandbox) to provide.
 */
export function findFreeReferences(ast: JobAst): IdentifierPath[] {
  const found: IdentifierPath[] = [];
  recast.visit(ast, {
    visitIdentifier(path) {
      if (namesVariable(path) && !path.scope?.lookup(path.node.name)) found.push(path);
      this.traverse(path);
    },
  });
  return found;
}

/** False for identifiers that are names of something other than a variable. */
function namesVariable(path: IdentifierPath): boolean {
  const parent = path.parent?.node as { type: string; computed?: boolean } | undefined;
  if (!parent) return true;
  const field = typeof path.name === 'number' ? path.parentPath.name : path.name;
  switch (parent.type) {
    case 'MemberExpression':
      return field !== 'property' || Boolean(parent.computed);
    case 'ExportSpecifier':
      // `export { a } from 'x'` re-exports without reading a local `a`.
      return field === 'local' && !path.parent.parent?.node.source;
    case 'ClassExpression':
      // ast-types does not bind a class expression's own name.
      return field !== 'id';
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
    case 'PrivateName':
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportAllDeclaration':
      return false;
    default:
      // Object, class and import-attribute keys are names unless computed.
      return field !== 'key' || Boolean(parent.computed);
  }
}
