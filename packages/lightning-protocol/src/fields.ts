// The field types the protocol's schemas are built from. Each names what it
// expects, so a problem reads "jobs[0].body must be a string", and a field that
// is missing reads "… is required".
import { z } from 'zod';

const expecting = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : what) });

export const text = () => z.string(expecting('must be a string'));

export const nonEmpty = () => z.string(expecting('must be a non-empty string')).min(1, 'must be a non-empty string');

export const flag = () => z.boolean(expecting('must be a boolean'));

/** Finite: zod refuses NaN and the infinities. */
export const num = () => z.number(expecting('must be a number'));

export const positiveInteger = () => z.int(expecting('must be a positive integer')).positive('must be a positive integer');

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, expecting(`must be one of ${values.join(', ')}`));

export const list = <T extends z.ZodType>(item: T) => z.array(item, expecting('must be an array'));

export const dictionary = <T extends z.ZodType>(value: T) => z.record(z.string(), value, expecting('must be an object'));

/** Refuses keys it does not know: payloads from the worker, where a misspelt field is a bug. */
export const closed = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, expecting('must be an object'));

/** Lets unknown keys through: Lightning adds plan fields over time. */
export const open = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape, expecting('must be an object'));

/** Integer microseconds since the epoch, as a string: how Lightning takes timestamps. */
export const microseconds = () => z.string(expecting('must be a string of integer microseconds')).regex(/^\d+$/, 'must be a string of integer microseconds');

export const jsonText = () => text().refine(isJson, 'must be a string of valid JSON');

export const uuid = () => z.uuid(expecting('must be a UUID'));

function isJson(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}
