/**
 * Tiny composable checks shared by plan and event validation. Each check gets
 * the value and its path (`jobs[1].adaptor`, `logs[0].level`) and returns the
 * problems it found, so every message names the field at fault.
 */

export interface Problem {
  field: string;
  message: string;
}

export type Check = (value: unknown, path: string) => Problem[];

export interface FieldSpec {
  check: Check;
  required: boolean;
}

export const problem = (field: string, message: string): Problem[] => [{ field, message }];

export const describeProblem = ({ field, message }: Problem): string => `${field} ${message}`;

const when =
  (test: (value: unknown) => boolean, message: string): Check =>
  (value, path) =>
    test(value) ? [] : problem(path, message);

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const anything: Check = () => [];
export const string = when((v) => typeof v === 'string', 'must be a string');
export const nonEmptyString = when((v) => typeof v === 'string' && v.length > 0, 'must be a non-empty string');
export const number = when((v) => typeof v === 'number' && Number.isFinite(v), 'must be a number');
export const boolean = when((v) => typeof v === 'boolean', 'must be a boolean');
export const plainObject = when(isPlainObject, 'must be an object');
export const array = when(Array.isArray, 'must be an array');
export const positiveInteger = when((v) => Number.isInteger(v) && (v as number) > 0, 'must be a positive integer');
/** Protocol timestamps are integer microseconds since the epoch, sent as strings. */
export const microseconds = when((v) => typeof v === 'string' && /^\d+$/.test(v), 'must be a string of integer microseconds');

export const jsonText = when((v) => {
  if (typeof v !== 'string') return false;
  try {
    JSON.parse(v);
    return true;
  } catch {
    return false;
  }
}, 'must be a string of valid JSON');

export const oneOf = (values: readonly string[]): Check =>
  when((v) => typeof v === 'string' && values.includes(v), `must be one of ${values.join(', ')}`);

export const nullable =
  (check: Check): Check =>
  (value, path) =>
    value === null ? [] : check(value, path);

/** The value passes if any one check passes; `message` replaces their separate complaints. */
export const either =
  (message: string, ...checks: Check[]): Check =>
  (value, path) =>
    checks.some((check) => check(value, path).length === 0) ? [] : problem(path, message);

export const arrayOf =
  (item: Check): Check =>
  (value, path) =>
    Array.isArray(value) ? value.flatMap((entry, index) => item(entry, `${path}[${index}]`)) : problem(path, 'must be an array');

export const recordOf =
  (entry: Check): Check =>
  (value, path) =>
    isPlainObject(value)
      ? Object.entries(value).flatMap(([key, item]) => entry(item, join(path, key)))
      : problem(path, 'must be an object');

export const required = (check: Check): FieldSpec => ({ check, required: true });
export const optional = (check: Check): FieldSpec => ({ check, required: false });

export interface ShapeOptions {
  /** Unknown keys are let through instead of reported. */
  open?: boolean;
}

export const shape =
  (fields: Record<string, FieldSpec>, { open = false }: ShapeOptions = {}): Check =>
  (value, path) => {
    if (!isPlainObject(value)) return problem(path || 'payload', 'must be an object');
    const known = Object.entries(fields).flatMap(([key, spec]) => {
      const field = value[key];
      if (field === undefined) return spec.required ? problem(join(path, key), 'is required') : [];
      return spec.check(field, join(path, key));
    });
    const unknown = open
      ? []
      : Object.keys(value)
          .filter((key) => !(key in fields))
          .flatMap((key) => problem(join(path, key), 'is not an allowed field'));
    return [...known, ...unknown];
  };

export const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
