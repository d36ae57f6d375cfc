/** A run cannot start because one of its adaptors is refused or could not be installed. */
export class AutoinstallError extends Error {
  override name = 'AutoinstallError';
  readonly severity = 'exception';
  constructor(
    message: string,
    /** The specifiers at fault. */
    readonly adaptors: string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
