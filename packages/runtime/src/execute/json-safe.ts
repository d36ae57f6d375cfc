import { types } from 'node:util';

/**
 * JSON text for any value, never throwing: a circular reference becomes
 * "[Circular]", an error keeps its name and message (JSON.stringify would give
 * `{}`), a bigint becomes a string. `undefined` when the value has no JSON form.
 */
export function stringifySafe(value: unknown): string | undefined {
  // The objects on the path from the root to the value being replaced.
  const ancestors: unknown[] = [];
  return JSON.stringify(value, function (this: unknown, _key: string, current: unknown) {
    if (typeof current === 'bigint') return current.toString();
    if (typeof current !== 'object' || current === null) return current;
    // `this` holds `current`; whatever sits above it on the stack belonged to an earlier sibling.
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(current)) return '[Circular]';
    ancestors.push(current);
    if (!types.isNativeError(current)) return current;
    const plain = { ...current, name: current.name, message: current.message };
    ancestors.push(plain);
    return plain;
  });
}

/** A deep copy made of plain JSON values only (functions, undefined and promises dropped). */
export function toJsonSafe(value: unknown): unknown {
  const text = stringifySafe(value);
  return text === undefined ? undefined : JSON.parse(text);
}
