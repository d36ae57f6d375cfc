import type { z } from 'zod';

/** One thing wrong with a value, at a field path such as `jobs[1].adaptor` or `logs[0].level`. */
export interface Problem {
  field: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export const describeProblem = ({ field, message }: Problem): string => `${field} ${message}`;

/**
 * Parses `value` with `schema`; on failure names every problem by its field,
 * and a problem with the value as a whole by `root`.
 */
export function check<S extends z.ZodType>(schema: S, value: unknown, root = 'payload'): Checked<z.infer<S>> {
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: problemsOf(parsed.error, root) };
}

function problemsOf(error: z.ZodError, root: string): Problem[] {
  return error.issues.flatMap((issue) => {
    const field = pathText(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: joinPath(field, key), message: 'is not an allowed field' }));
    }
    return [{ field: field || root, message: issue.message }];
  });
}

const joinPath = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : joinPath(text, String(key))), '');
}
