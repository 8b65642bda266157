/**
 * What a device may send to registerToken / unregisterToken, parsed into core types or rejected
 * with a message that names the field. Pure: no Firestore, no clock.
 *
 * A registration never turns a device away for its optional metadata: only a bad token or
 * platform (or data that is not an object, or is over the abuse bound) fails the call. A
 * `locale`, `timezone` or `appVersion` is normalised when it can be (core/locale.ts) and
 * otherwise left out with a warning, and an unknown field is ignored with a warning, so an app
 * that sends something unexpected (an iOS locale with `@rg=…`, a newer app's extra field) still
 * gets its pushes.
 */
import { normaliseLocale, normaliseTimeZone } from './locale';
import {
  hasWhitespaceOrControl,
  isPlainObject,
  ok,
  reject,
  unknownKey,
  type Parsed,
} from './parse';

export const PLATFORMS = ['android', 'ios', 'web'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** FCM registration tokens are ~150-200 characters today; 4,096 leaves room and bounds abuse. */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * Callable data larger than this as JSON is refused before any field is looked at. The largest
 * valid input (a 4,096-character token and every optional field) is about 4.3 KB.
 */
export const MAX_CALL_DATA_BYTES = 8 * 1024;
/** Deeper nesting than this is refused as well: valid input is one flat object. */
const MAX_CALL_DATA_DEPTH = 32;

export interface RegisterTokenInput {
  token: string;
  platform: Platform;
  locale?: string;
  timezone?: string;
  appVersion?: string;
}

export interface UnregisterTokenInput {
  token: string;
}

/** Something the call sent that was not saved, and why; returned to the app, never an error. */
export interface RegistrationWarning {
  field: string;
  message: string;
}

export type ParsedRegistration =
  | { ok: true; value: RegisterTokenInput; warnings: RegistrationWarning[] }
  | { ok: false; field: string; message: string };

export const REGISTER_FIELDS = ['token', 'platform', 'locale', 'timezone', 'appVersion'] as const;

export const MAX_APP_VERSION_LENGTH = 64;
/** Unknown fields named one by one in warnings; the rest are counted in one more warning. */
const MAX_UNKNOWN_FIELD_WARNINGS = 5;

function normaliseAppVersion(
  raw: unknown,
): { ok: true; value: string } | { ok: false; reason: string } {
  if (typeof raw !== 'string') return { ok: false, reason: 'appVersion must be a string' };
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'appVersion is empty' };
  if (value.length > MAX_APP_VERSION_LENGTH) {
    return { ok: false, reason: `appVersion is longer than ${MAX_APP_VERSION_LENGTH} characters` };
  }
  if (/\p{Cc}/u.test(value)) return { ok: false, reason: 'appVersion has control characters' };
  return { ok: true, value };
}

/**
 * JSON size of `value` in UTF-8 bytes, counted by walking it and stopping as soon as `limit` is
 * passed, so an oversized payload is never serialized or scanned in full. Answers `limit + 1`
 * for anything over the limit or nested deeper than MAX_CALL_DATA_DEPTH (cycles included).
 */
export function jsonBytesUpTo(value: unknown, limit: number): number {
  let total = 0;
  const over = () => total > limit;
  const add = (n: number) => {
    total += n;
    return over();
  };
  const text = (s: string): boolean =>
    // Every character is at least one byte: skip serializing a string that cannot fit.
    s.length > limit ? add(s.length) : add(Buffer.byteLength(JSON.stringify(s)));
  const walk = (v: unknown, depth: number): boolean => {
    if (depth > MAX_CALL_DATA_DEPTH) return add(limit + 1);
    if (typeof v === 'string') return text(v);
    if (typeof v === 'number') return add(Number.isFinite(v) ? String(v).length : 4);
    if (typeof v === 'boolean') return add(v ? 4 : 5);
    if (Array.isArray(v)) {
      if (add(2 + Math.max(v.length - 1, 0))) return true;
      return v.some((item) => walk(item, depth + 1));
    }
    if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      if (add(2 + Math.max(entries.length - 1, 0))) return true;
      return entries.some(([k, item]) => text(k) || add(1) || walk(item, depth + 1));
    }
    return add(4); // null, and values JSON cannot carry (counted as null)
  };
  walk(value, 0);
  return over() ? limit + 1 : total;
}

/** Refuses callable data over MAX_CALL_DATA_BYTES, naming the whole data as the field. */
function withinSizeLimit(data: unknown): Parsed<unknown> {
  if (jsonBytesUpTo(data, MAX_CALL_DATA_BYTES) > MAX_CALL_DATA_BYTES) {
    return reject(
      '(data)',
      `data must be at most ${MAX_CALL_DATA_BYTES.toLocaleString('en-US')} bytes as JSON.`,
    );
  }
  return ok(data);
}

function parseToken(data: Record<string, unknown>): Parsed<string> {
  const token = data.token;
  if (token === undefined) return reject('token', 'token is required.');
  if (typeof token !== 'string') return reject('token', 'token must be a string.');
  if (token.length === 0) return reject('token', 'token must not be empty.');
  if (token.length > MAX_TOKEN_LENGTH) {
    return reject('token', `token must be at most ${MAX_TOKEN_LENGTH} characters.`);
  }
  if (hasWhitespaceOrControl(token)) {
    return reject('token', 'token must not contain whitespace or control characters.');
  }
  return ok(token);
}

const refuse = (field: string, message: string) => ({ ok: false as const, field, message });

export function parseRegisterTokenInput(data: unknown): ParsedRegistration {
  const sized = withinSizeLimit(data);
  if (!sized.ok) return sized;
  if (!isPlainObject(data)) {
    return refuse('(data)', 'data must be an object such as { token, platform }.');
  }
  const token = parseToken(data);
  if (!token.ok) return token;
  const platform = data.platform;
  if (platform === undefined)
    return refuse('platform', `platform is required (${PLATFORMS.join(', ')}).`);
  if (typeof platform !== 'string' || !(PLATFORMS as readonly string[]).includes(platform)) {
    return refuse('platform', `platform must be one of ${PLATFORMS.join(', ')}.`);
  }
  const value: RegisterTokenInput = { token: token.value, platform: platform as Platform };
  const warnings: RegistrationWarning[] = [];

  const optional = [
    ['locale', normaliseLocale],
    ['timezone', normaliseTimeZone],
    ['appVersion', normaliseAppVersion],
  ] as const;
  for (const [field, normalise] of optional) {
    const raw = data[field];
    if (raw === undefined || raw === null) continue; // absent (null: what Dart maps send)
    const normalised = normalise(raw);
    if (normalised.ok) value[field] = normalised.value;
    else warnings.push({ field, message: `${normalised.reason}; it was not saved.` });
  }

  const unknown = Object.keys(data).filter(
    (key) => !(REGISTER_FIELDS as readonly string[]).includes(key),
  );
  for (const key of unknown.slice(0, MAX_UNKNOWN_FIELD_WARNINGS)) {
    const field = unknownKey({ [key]: true }, []) ?? key;
    warnings.push({
      field,
      message: `${field} is not a known field and was ignored (known: ${REGISTER_FIELDS.join(', ')}).`,
    });
  }
  if (unknown.length > MAX_UNKNOWN_FIELD_WARNINGS) {
    warnings.push({
      field: '(data)',
      message: `${unknown.length - MAX_UNKNOWN_FIELD_WARNINGS} more unknown fields were ignored.`,
    });
  }
  return { ok: true, value, warnings };
}

export function parseUnregisterTokenInput(data: unknown): Parsed<UnregisterTokenInput> {
  const sized = withinSizeLimit(data);
  if (!sized.ok) return sized;
  if (!isPlainObject(data)) return reject('(data)', 'data must be an object such as { token }.');
  const extra = unknownKey(data, ['token']);
  if (extra !== undefined) return reject(extra, `${extra} is not a known field (allowed: token).`);
  const token = parseToken(data);
  return token.ok ? ok({ token: token.value }) : token;
}
