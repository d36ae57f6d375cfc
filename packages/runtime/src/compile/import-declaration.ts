import * as recast from 'recast';

const b = recast.types.builders;

type ImportDeclaration = recast.types.namedTypes.ImportDeclaration;

/** `import { imported as local, … } from "source";`, or `import { name } …` when both names match. */
export function importDeclaration(names: Array<{ imported: string; local?: string }>, source: string): ImportDeclaration {
  const specifiers = names.map(({ imported, local = imported }) =>
    // ast-types' scope analysis reads `local`, so it is set even when it repeats `imported`.
    b.importSpecifier(b.identifier(imported), b.identifier(local)),
  );
  return b.importDeclaration(specifiers, b.literal(source));
}
