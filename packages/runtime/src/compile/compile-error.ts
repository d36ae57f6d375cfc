/** A line and column in the job's own source (line 1-based, column 0-based, as acorn counts). */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * A job expression that cannot become a module. It is the user's code that is
 * wrong, so running the plan any further is pointless: severity `crash`.
 */
export class CompileError extends Error {
  override name = 'CompileError';
  readonly severity = 'crash';
  readonly line: number;
  readonly column: number;

  constructor(
    readonly stepId: string,
    reason: string,
    position: SourcePosition,
  ) {
    super(`Cannot compile step "${stepId}": ${reason} (line ${position.line}, column ${position.column})`);
    this.line = position.line;
    this.column = position.column;
  }
}
