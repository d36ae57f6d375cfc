import type * as recast from 'recast';
import type { SourcePosition } from './compile-error.js';

type Located = { loc?: { start: SourcePosition } | null };

/** Where a parsed node starts in the user's source; 0:0 for nodes the compiler built and for array holes. */
export const startOf = (node: Located | null | undefined): SourcePosition => node?.loc?.start ?? { line: 0, column: 0 };

/**
 * Where the node at `path` starts, or else its nearest located ancestor: recast
 * drops the location of some nodes it must never reprint on their own (the
 * value of a shorthand property, the declaration of an export).
 */
export function positionOf(path: recast.types.NodePath): SourcePosition {
  for (let current: recast.types.NodePath | null = path; current; current = current.parentPath) {
    if (current.node?.loc) return startOf(current.node);
  }
  return startOf(null);
}
