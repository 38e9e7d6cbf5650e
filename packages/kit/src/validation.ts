import type { z } from 'zod';
import { badInput } from './errors.js';

/**
 * Parses input with a zod schema. A failure is BAD_USER_INPUT whose message names every problem
 * with its field (`vitals.spo2: …`, `input.fields[1].options: …`) and whose `extensions.fields`
 * lists each problem as `{ path, message }` (STYLE.md: say what is wrong and how to fix it).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root?: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => ({ path: fieldPath(root, issue.path), message: issue.message }));
  throw badInput(fields.map((f) => `${f.path}: ${f.message}`).join(' '), fields);
}

/** `input` + ['fields', 1, 'options'] → `input.fields[1].options`; no root and no path → `input`. */
export function fieldPath(root: string | undefined, path: readonly PropertyKey[]): string {
  let out = root ?? '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'input' : out;
}
