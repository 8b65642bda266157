/**
 * What a device may send to registerToken / unregisterToken, parsed into core types or rejected
 * with a message that names the field. Pure: no Firestore, no clock.
 */
import {
  hasWhitespaceOrControl,
  isPlainObject,
  ok,
  optionalString,
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

const REGISTER_FIELDS = ['token', 'platform', 'locale', 'timezone', 'appVersion'] as const;

// BCP 47 shape (en, en-US, zh-Hant-TW, es-419); Android's en_US is accepted too.
const LOCALE = {
  test: (s: string) => /^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(s),
  describe: 'a BCP 47 language tag such as "en-US"',
};
const TIMEZONE = { test: isIanaTimeZone, describe: 'an IANA time zone such as "Asia/Seoul"' };

function isIanaTimeZone(s: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
    return true;
  } catch {
    return false;
  }
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

export function parseRegisterTokenInput(data: unknown): Parsed<RegisterTokenInput> {
  const sized = withinSizeLimit(data);
  if (!sized.ok) return sized;
  if (!isPlainObject(data)) {
    return reject('(data)', 'data must be an object such as { token, platform }.');
  }
  const extra = unknownKey(data, REGISTER_FIELDS);
  if (extra !== undefined) {
    return reject(extra, `${extra} is not a known field (allowed: ${REGISTER_FIELDS.join(', ')}).`);
  }
  const token = parseToken(data);
  if (!token.ok) return token;
  const platform = data.platform;
  if (platform === undefined)
    return reject('platform', `platform is required (${PLATFORMS.join(', ')}).`);
  if (typeof platform !== 'string' || !(PLATFORMS as readonly string[]).includes(platform)) {
    return reject('platform', `platform must be one of ${PLATFORMS.join(', ')}.`);
  }
  const locale = optionalString(data, 'locale', 35, LOCALE);
  if (!locale.ok) return locale;
  const timezone = optionalString(data, 'timezone', 64, TIMEZONE);
  if (!timezone.ok) return timezone;
  const appVersion = optionalString(data, 'appVersion', 64);
  if (!appVersion.ok) return appVersion;
  const value: RegisterTokenInput = { token: token.value, platform: platform as Platform };
  if (locale.value !== undefined) value.locale = locale.value;
  if (timezone.value !== undefined) value.timezone = timezone.value;
  if (appVersion.value !== undefined) value.appVersion = appVersion.value;
  return ok(value);
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
