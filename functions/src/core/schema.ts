/**
 * Turns a zod schema's issues into our `Parsed` shape: one error, naming its field path the way
 * callers and tests read it (`data.count`, `requests[3].to.uid`, `localized.""`).
 *
 * Messages are written once, in the schema, as templates: `{field}` is the issue's own field
 * (with the caller's prefix), `{p}` the prefix alone (for messages that name sibling fields), and
 * `{key}` in an unknown-field message the offending key (the field then names that key).
 */
import type { z } from 'zod';
import { ok, reject, type Parsed } from './parse';

export function pathToField(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const name = String(part) === '' ? '""' : String(part);
      out += out === '' ? name : `.${name}`;
    }
  }
  return out;
}

function fill(template: string, field: string, prefix: string): string {
  // A function replacer: a field such as `$$` or `$&` must come out as written (found by fuzzing).
  return template.replace(/\{(field|key|p)\}/g, (_, name: string) =>
    name === 'p' ? prefix : field,
  );
}

/**
 * The issue reported: an unknown field of the top object first (a typo explains the rest), then
 * zod's order, which follows the shape's field order.
 */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues.find((i) => i.code === 'unrecognized_keys' && i.path.length === 0) ?? issues[0]!;
}

/**
 * Parses `value` with `schema`; `prefix` goes before every field ("requests[2]." for check
 * output); `root` names the value itself when it is wrong as a whole.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = '',
  root = { field: '(request)', name: 'the request' },
): Parsed<z.output<S>> {
  const r = schema.safeParse(value);
  if (r.success) return ok(r.data);
  const issue = firstIssue(r.error.issues);
  let path = pathToField(issue.path);
  if (issue.code === 'unrecognized_keys' && issue.message.includes('{key}')) {
    const key = pathToField([String(issue.keys[0] ?? '')]);
    path = path === '' ? key : `${path}.${key}`;
  }
  const field = path === '' ? prefix || root.field : `${prefix}${path}`;
  const named = path === '' ? prefix || root.name : field;
  return reject(field, fill(issue.message, named, prefix));
}
