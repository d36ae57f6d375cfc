/** A non-null, non-array object, whichever realm (vm context) created it. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` if it is a record, else an empty one: for spreading values of unknown shape. */
export const recordOrEmpty = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
