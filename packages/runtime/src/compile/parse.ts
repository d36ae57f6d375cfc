import * as acorn from 'acorn';
import * as recast from 'recast';
import { CompileError } from './compile-error.js';

export type JobAst = recast.types.namedTypes.File;

/**
 * Parses a job expression into a recast tree that remembers the original text,
 * so that printing it again keeps untouched code as the user wrote it and the
 * source map names `${stepId}.js`.
 */
export function parse(expression: string, stepId: string): JobAst {
  try {
    return recast.parse(expression, {
      parser: { parse: parseWithAcorn },
      sourceFileName: `${stepId}.js`,
      // recast expands leading tabs before acorn sees the text; at width 1 every
      // column acorn and the source map report is still the user's own column.
      tabWidth: 1,
    });
  } catch (error) {
    const loc = (error as { loc?: unknown }).loc;
    if (!(error instanceof SyntaxError) || !isAcornPosition(loc)) throw error;
    // Acorn appends "(line:column)"; CompileError states the position its own way.
    const reason = error.message.replace(/ \(\d+:\d+\)$/, '');
    throw new CompileError(stepId, reason, { line: loc.line, column: loc.column });
  }
}

function parseWithAcorn(source: string): acorn.Program {
  const tokens: acorn.Token[] = [];
  const comments: acorn.Comment[] = [];
  const program = acorn.parse(source, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    allowHashBang: true,
    locations: true,
    onToken: tokens,
    onComment: comments,
  });
  adaptClassMembers(program);
  // Acorn reports a hashbang as a comment; recast would then print it wherever
  // the first statement ends up, where it is a syntax error.
  if (source.startsWith('#!')) comments.shift();
  // recast reads these two properties to reprint faithfully and to keep comments.
  return Object.assign(program, { tokens, comments });
}

const isAcornPosition = (value: unknown): value is acorn.Position =>
  typeof value === 'object' && value !== null && typeof (value as acorn.Position).line === 'number';

type LooseNode = { type: string; [field: string]: unknown };

/**
 * ast-types (and so recast) predates ES2022's ESTree class fields and private
 * names and throws on `PropertyDefinition` / `PrivateIdentifier`. It does know
 * the Babel shapes of the same syntax, so acorn's nodes are renamed to those.
 */
function adaptClassMembers(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(adaptClassMembers);
    return;
  }
  if (!isNode(node)) return;
  for (const [field, child] of Object.entries(node)) {
    if (field !== 'loc') adaptClassMembers(child);
  }
  if (node.type === 'PropertyDefinition') {
    node.type = isNode(node.key) && node.key.type === 'PrivateName' ? 'ClassPrivateProperty' : 'ClassProperty';
  } else if (node.type === 'PrivateIdentifier') {
    const { name, start, end, loc } = node as unknown as acorn.PrivateIdentifier;
    // The name follows the `#`, so its text starts one character later.
    const id = { type: 'Identifier', name, start: start + 1, end, loc: loc && { ...loc, start: shift(loc.start) } };
    Object.assign(node, { type: 'PrivateName', id });
    delete node.name;
  }
}

const shift = ({ line, column }: acorn.Position) => ({ line, column: column + 1 });

const isNode = (value: unknown): value is LooseNode =>
  typeof value === 'object' && value !== null && typeof (value as LooseNode).type === 'string';
