import * as recast from 'recast';
import { findFreeReferences } from './free-references.js';
import { importDeclaration } from './import-declaration.js';
import type { JobAst } from './parse.js';
import { SANDBOX_GLOBALS } from './sandbox-globals.js';

const b = recast.types.builders;

/** An adaptor package (name without version) and the names it really exports. */
export interface AdaptorExports {
  name: string;
  exports: string[];
}

/**
 * Imports, from the step's adaptors, the names the job uses without declaring
 * them. Earlier adaptors win a name both export. A name no adaptor exports is
 * not imported: it fails at run time as a ReferenceError naming it, which says
 * more than a module that cannot link.
 */
export function addAdaptorImports(ast: JobAst, adaptors: AdaptorExports[]): void {
  const [primary] = adaptors;
  if (!primary) return;
  const dangling = new Set(findFreeReferences(ast).map((path) => path.node.name));
  for (const name of SANDBOX_GLOBALS) dangling.delete(name);

  const declarations = [];
  for (const adaptor of adaptors) {
    const exported = new Set(adaptor.exports);
    const names = [...dangling].filter((name) => exported.has(name));
    names.forEach((name) => dangling.delete(name));
    if (names.length > 0) declarations.push(importDeclaration(names.map((imported) => ({ imported })), adaptor.name));
    // Re-exposes the adaptor's `execute`, which the executor uses when present. Only
    // the first adaptor's: star exports of two adaptors that both have an `execute`
    // would cancel each other out, leaving none.
    if (adaptor === primary) declarations.push(b.exportAllDeclaration(b.literal(primary.name), null));
  }
  ast.program.body.unshift(...declarations);
}
