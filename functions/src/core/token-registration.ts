/**
 * What a device may send to registerToken / unregisterToken, described by zod schemas (which give
 * the types; core/schema.ts the rejection naming the field). Pure: no Firestore, no clock.
 *
 * A registration never turns a device away for its optional metadata: only a bad token or
 * platform (or data that is not an object, or is over the abuse bound) fails the call. A
 * `locale`, `timezone` or `appVersion` is normalised when it can be (core/locale.ts) and
 * otherwise left out with a warning, and an unknown field is ignored with a warning, so an app
 * that sends something unexpected (an iOS locale with `@rg=…`, a newer app's extra field) still
 * gets its pushes.
 */
import { z } from 'zod';
import { normaliseLocale, normaliseTimeZone, type Normalised } from './locale';
import { hasWhitespaceOrControl, isPlainObject, ok, reject, type Parsed } from './parse';
import { parseWith, pathToField } from './schema';

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

/** Something the call sent that was not saved, and why; returned to the app, never an error. */
export interface RegistrationWarning {
  field: string;
  message: string;
}

export type ParsedRegistration =
  | { ok: true; value: RegisterTokenInput; warnings: RegistrationWarning[] }
  | { ok: false; field: string; message: string };

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

/** A device's FCM registration token, as both callables take it. */
export const tokenSchema = z
  .string({
    error: (iss) =>
      iss.input === undefined ? '{field} is required.' : '{field} must be a string.',
  })
  .min(1, { error: '{field} must not be empty.', abort: true })
  .max(MAX_TOKEN_LENGTH, {
    error: `{field} must be at most ${MAX_TOKEN_LENGTH} characters.`,
    abort: true,
  })
  .refine((t) => !hasWhitespaceOrControl(t), {
    error: '{field} must not contain whitespace or control characters.',
  });

/**
 * A metadata field: absent or null (what Dart maps send) is absent; anything else is normalised,
 * and what cannot be is kept as its reason, for a warning (never a failure).
 */
const metadata = (normalise: (raw: unknown) => Normalised) =>
  z
    .unknown()
    .transform((raw): Normalised | undefined =>
      raw === undefined || raw === null ? undefined : normalise(raw),
    )
    .optional();

const REGISTER_SHAPE = {
  token: tokenSchema,
  platform: z.enum(PLATFORMS, {
    error: (iss) =>
      iss.input === undefined
        ? `{field} is required (${PLATFORMS.join(', ')}).`
        : `{field} must be one of ${PLATFORMS.join(', ')}.`,
  }),
  locale: metadata(normaliseLocale),
  timezone: metadata(normaliseTimeZone),
  appVersion: metadata(normaliseAppVersion),
};
type MetadataField = 'locale' | 'timezone' | 'appVersion';
const METADATA_FIELDS: readonly MetadataField[] = ['locale', 'timezone', 'appVersion'];

export const REGISTER_FIELDS = Object.keys(REGISTER_SHAPE) as Array<keyof typeof REGISTER_SHAPE>;

type RegisterFields = z.output<z.ZodObject<typeof REGISTER_SHAPE>>;
/** What a registration saves: the token and platform, and the metadata that could be normalised. */
export type RegisterTokenInput = Omit<RegisterFields, MetadataField> & {
  [K in MetadataField]?: string;
};

/**
 * registerToken's data: the metadata becomes saved values or warnings, and only `token` and
 * `platform` can fail; unknown fields are left out here and named in warnings by the parser.
 */
export const registerTokenSchema = z
  .object(REGISTER_SHAPE, { error: 'data must be an object such as { token, platform }.' })
  .transform((d) => {
    const value: RegisterTokenInput = { token: d.token, platform: d.platform };
    const warnings: RegistrationWarning[] = [];
    for (const field of METADATA_FIELDS) {
      const normalised = d[field];
      if (normalised === undefined) continue;
      if (normalised.ok) value[field] = normalised.value;
      else warnings.push({ field, message: `${normalised.reason}; it was not saved.` });
    }
    return { value, warnings };
  });

/** unregisterToken's data: the token alone; any other field is refused, naming it. */
export const unregisterTokenSchema = z.strictObject(
  { token: tokenSchema },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? '{key} is not a known field (allowed: token).'
        : 'data must be an object such as { token }.',
  },
);
export type UnregisterTokenInput = z.output<typeof unregisterTokenSchema>;

/**
 * Warnings for the fields registerToken does not know, read from the data as sent (the schema's
 * output has only its own fields): five named, the rest counted.
 */
function unknownFields(data: Record<string, unknown>): RegistrationWarning[] {
  const warnings: RegistrationWarning[] = [];
  const unknown = Object.keys(data).filter(
    (key) => !(REGISTER_FIELDS as readonly string[]).includes(key),
  );
  for (const key of unknown.slice(0, MAX_UNKNOWN_FIELD_WARNINGS)) {
    const field = pathToField([key]);
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
  return warnings;
}

const DATA = { field: '(data)', name: 'data' };

export function parseRegisterTokenInput(data: unknown): ParsedRegistration {
  const sized = withinSizeLimit(data);
  if (!sized.ok) return sized;
  if (!isPlainObject(data)) {
    const message = 'data must be an object such as { token, platform }.';
    return { ok: false, field: '(data)', message };
  }
  const r = parseWith(registerTokenSchema, data, '', DATA);
  if (!r.ok) return r;
  return {
    ok: true,
    value: r.value.value,
    warnings: [...r.value.warnings, ...unknownFields(data)],
  };
}

export function parseUnregisterTokenInput(data: unknown): Parsed<UnregisterTokenInput> {
  const sized = withinSizeLimit(data);
  if (!sized.ok) return sized;
  if (!isPlainObject(data)) return reject('(data)', 'data must be an object such as { token }.');
  return parseWith(unregisterTokenSchema, data, '', DATA);
}
