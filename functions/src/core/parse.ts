/**
 * Small parsing helpers shared by every edge that accepts outside data (callable arguments,
 * outbox documents, check output). Errors carry the field path so a client developer can act.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const reject = <T = never>(field: string, message: string): Parsed<T> => ({
  ok: false,
  field,
  message,
});

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The first key of `obj` that is not in `allowed`, if any, as an error may name it: the empty
 * key becomes `""` so that a rejection always has a field (found by the fuzz tests).
 */
export function unknownKey(
  obj: Record<string, unknown>,
  allowed: readonly string[],
): string | undefined {
  const key = Object.keys(obj).find((k) => !allowed.includes(k));
  return key === '' ? '""' : key;
}

// Whitespace and control characters (C0, DEL, C1) never occur in FCM tokens.
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;

export function hasWhitespaceOrControl(s: string): boolean {
  return WHITESPACE_OR_CONTROL.test(s);
}

/** Validates an optional printable string of bounded length. */
export function optionalString(
  obj: Record<string, unknown>,
  field: string,
  maxLength: number,
  pattern?: { test: (s: string) => boolean; describe: string },
): Parsed<string | undefined> {
  const v = obj[field];
  if (v === undefined) return ok(undefined);
  if (typeof v !== 'string') return reject(field, `${field} must be a string when given.`);
  if (v.length === 0) return reject(field, `${field} must not be empty when given.`);
  if (v.length > maxLength)
    return reject(field, `${field} must be at most ${maxLength} characters.`);
  if (/\p{Cc}/u.test(v)) return reject(field, `${field} must not contain control characters.`);
  if (pattern && !pattern.test(v)) return reject(field, `${field} must be ${pattern.describe}.`);
  return ok(v);
}
