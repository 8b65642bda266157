/**
 * A push request: what a check (or an outbox document) asks for, before targets are confirmed.
 * Described once by the zod schema below, which gives the TypeScript types, the field-path
 * errors and the published JSON Schema of an outbox document (docs/schemas/, `npm run
 * gen:schema`); times are epoch milliseconds once parsed.
 */
import { z } from 'zod';
import { normaliseLocale } from './locale';
import { isPlainObject, reject, type Parsed } from './parse';
import { CATEGORY_PATTERN, type Localized } from './preferences';
import { parseWith } from './schema';

const MAX_TTL_SECONDS = 2_419_200;
/** Languages one request may carry. */
export const MAX_LOCALIZED = 50;

/** Accepts a Date, a Firestore Timestamp (anything with toMillis), epoch ms, or an ISO string. */
export function toEpochMs(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (value && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
    return (value as { toMillis(): number }).toMillis();
  }
  return undefined;
}

const CANCEL_KEY =
  '{field} must be a non-empty string; a cancel is { key, to } (keys belong to a target).';

const TOPIC = /^[a-zA-Z0-9\-_.~%]{1,900}$/;

const targetString = z
  .string({ error: '{field} must be a non-empty string (at most 4,096 characters).' })
  .min(1, { error: '{field} must be a non-empty string (at most 4,096 characters).' })
  .max(4096, { error: '{field} must be a non-empty string (at most 4,096 characters).' });

/** `{uid}`, `{token}`, `{topic}` (with or without `/topics/`) or `{condition}`: exactly one. */
export const targetSchema = z
  .strictObject(
    {
      uid: targetString.optional(),
      token: targetString.optional(),
      topic: targetString
        .refine((v) => TOPIC.test(v.replace(/^\/topics\//, '')), {
          error: '{field} must match [a-zA-Z0-9-_.~%]+.',
        })
        .meta({ pattern: '^(/topics/)?[a-zA-Z0-9\\-_.~%]{1,900}$' })
        .optional(),
      condition: targetString.optional(),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? '{field} must have exactly one of uid, token, topic, condition.'
          : iss.input === undefined
            ? '{field} is required: {uid}, {token}, {topic} or {condition}.'
            : '{field} must be one of {uid}, {token}, {topic}, {condition}.',
    },
  )
  .refine((t) => Object.keys(t).length === 1, {
    error: '{field} must have exactly one of uid, token, topic, condition.',
  })
  .meta({ minProperties: 1, maxProperties: 1 })
  .transform((t) => t as RequestTarget);

export type RequestTarget =
  { uid: string } | { token: string } | { topic: string } | { condition: string };

const text = (max: number) =>
  z
    .string({ error: '{field} must be a string.' })
    .max(max, { error: `{field} must be at most ${max} characters.` })
    .nullish();

const platformObject = z
  .record(z.string(), z.unknown(), { error: '{field} must be an object.' })
  .nullish();

/**
 * Accepts a Firestore Timestamp (anything with toMillis), a Date, epoch ms, or an ISO 8601
 * string; JSON Schema can say the last two (a Firestore Timestamp is what a client SDK writes for
 * a Date, and is documented beside the published schema).
 */
const timestamp = z
  .unknown()
  .transform((v, ctx) => {
    const ms = toEpochMs(v);
    if (ms === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        message: '{field} must be a timestamp (Timestamp, Date or ISO 8601 string).',
      });
      return z.NEVER;
    }
    return ms;
  })
  .meta({
    anyOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }],
    description:
      'A Firestore Timestamp (written by the SDKs for a Date), an ISO 8601 string, or epoch milliseconds.',
  });

const localizedText = (max: number) =>
  z
    .string({ error: '{field} must be a string.' })
    .max(max, { error: `{field} must be at most ${max} characters.` })
    .nullish();

const localizedVariant = z
  .strictObject(
    { title: localizedText(1024), content: localizedText(4096) },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? '{key} is not a known field (title, content).'
          : '{field} must be an object with title and/or content.',
    },
  )
  .refine((v) => typeof v.title === 'string' || typeof v.content === 'string', {
    error: '{field} must have a title or a content.',
  });

/**
 * `localized: { [locale]: { title?, content? } }`: each tag normalised as token registration
 * normalises a device's locale (`en_US` -> `en-US`), but refused when it cannot be, naming it.
 */
const localizedSchema = z
  .record(z.string(), localizedVariant, {
    error: '{field} must be an object such as { "ko-KR": { "title": "…" } }.',
  })
  .superRefine((value, ctx) => {
    if (Object.keys(value).length > MAX_LOCALIZED) {
      ctx.addIssue({
        code: 'custom',
        message: `{field} may hold at most ${MAX_LOCALIZED} languages.`,
      });
      return;
    }
    const seen = new Set<string>();
    for (const tag of Object.keys(value)) {
      const locale = normaliseLocale(tag);
      if (!locale.ok) {
        ctx.addIssue({ code: 'custom', path: [tag], message: `{field}: ${locale.reason}.` });
        return;
      }
      if (seen.has(locale.value)) {
        ctx.addIssue({
          code: 'custom',
          path: [tag],
          message: `{field} is the same language tag as another key (${locale.value}).`,
        });
        return;
      }
      seen.add(locale.value);
    }
  })
  .meta({ maxProperties: MAX_LOCALIZED, description: 'Text per BCP 47 language tag.' });

const REQUEST_SHAPE = {
  to: targetSchema,
  title: text(1024),
  content: text(4096),
  image: text(2048),
  key: text(256),
  collapseKey: text(64),
  data: z
    .record(
      z.string(),
      z.string({ error: '{field} must be a string (FCM data values are strings).' }),
      { error: '{field} must be an object of string values.' },
    )
    .nullish(),
  reservedAt: timestamp.nullish(),
  expiresAt: timestamp.nullish(),
  ttlSeconds: z
    .number({ error: `{field} must be an integer from 0 to ${MAX_TTL_SECONDS} (28 days).` })
    .int({ error: `{field} must be an integer from 0 to ${MAX_TTL_SECONDS} (28 days).` })
    .min(0, { error: `{field} must be an integer from 0 to ${MAX_TTL_SECONDS} (28 days).` })
    .max(MAX_TTL_SECONDS, {
      error: `{field} must be an integer from 0 to ${MAX_TTL_SECONDS} (28 days).`,
    })
    .nullish(),
  priority: z.enum(['normal', 'high'], { error: '{field} must be "normal" or "high".' }).nullish(),
  android: platformObject,
  apns: platformObject,
  webpush: platformObject,
  category: z
    .string({ error: '{field} must be a string.' })
    .regex(CATEGORY_PATTERN, {
      error:
        '{field} must be 1 to 64 letters, digits, "_" or "-" (e.g. "marketing", "order_updates").',
    })
    .nullish(),
  ignoreQuietHours: z.boolean({ error: '{field} must be true or false.' }).nullish(),
  localized: localizedSchema.nullish(),
};

export const PUSH_REQUEST_FIELDS = Object.keys(REQUEST_SHAPE) as Array<keyof typeof REQUEST_SHAPE>;

/**
 * An outbox document (or one request of a check's output) as written: the published JSON
 * Schema is this schema's input side. Rules beyond shapes are the refinements below.
 */
export const pushRequestDocumentSchema = z
  .strictObject(REQUEST_SHAPE, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `{key} is not a known field (allowed: ${Object.keys(REQUEST_SHAPE).join(', ')}).`
        : '{field} must be an object.',
  })
  .superRefine((d, ctx) => {
    if (d.title == null && d.content == null && d.data == null) {
      ctx.addIssue({
        code: 'custom',
        path: ['title'],
        message: '{p}title, {p}content or {p}data is required: the push would be empty.',
      });
      return;
    }
    if (d.reservedAt != null && d.expiresAt != null && d.expiresAt <= d.reservedAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['expiresAt'],
        message: '{field} must be later than {p}reservedAt.',
      });
      return;
    }
    const p = d.android?.priority;
    // FCM documents "normal" / "high" (firebase-admin sends them so); the enum names work too.
    if (p !== undefined && (typeof p !== 'string' || !/^(normal|high)$/i.test(p))) {
      ctx.addIssue({
        code: 'custom',
        path: ['android', 'priority'],
        message: '{field} must be "normal" or "high" (either case).',
      });
      return;
    }
    if (d.localized != null && ('topic' in d.to || 'condition' in d.to)) {
      ctx.addIssue({
        code: 'custom',
        path: ['localized'],
        message:
          '{field} is for pushes to a user or a token: a topic or condition push goes to ' +
          'many devices at once and has no language (send one per language topic instead).',
      });
    }
  });

type Document = z.output<typeof pushRequestDocumentSchema>;
/** Absent instead of null: the parsed request never holds null. */
type Present<T> = { [K in keyof T]: Exclude<T[K], null> };

/** A parsed request: the document's fields, times as epoch ms, locales normalised. */
export type PushRequest = Present<
  Omit<Document, 'reservedAt' | 'expiresAt' | 'localized' | 'to'>
> & {
  to: RequestTarget;
  /** When to send (epoch ms); absent means now. */
  reservedAtMs?: number;
  /** Never send after this (epoch ms). */
  expiresAtMs?: number;
  /** Text per language (canonical BCP 47 tags), picked per device when it is sent. */
  localized?: Localized;
};

/** What a push shows and how each platform treats it: shared by requests and queued pushes. */
export type PushContent = Omit<PushRequest, 'to' | 'reservedAtMs' | 'expiresAtMs' | 'key'>;

function toRequest(d: Document): PushRequest {
  const request: PushRequest = { to: d.to };
  for (const [k, v] of Object.entries(d)) {
    if (v === null || v === undefined || k === 'to') continue;
    if (k === 'reservedAt') request.reservedAtMs = v as number;
    else if (k === 'expiresAt') request.expiresAtMs = v as number;
    else if (k === 'ignoreQuietHours') {
      if (v === true) request.ignoreQuietHours = true;
    } else if (k === 'localized') {
      const out: Localized = {};
      for (const [tag, variant] of Object.entries(d.localized ?? {})) {
        const locale = normaliseLocale(tag);
        if (!locale.ok) continue; // refused above
        out[locale.value] = {
          ...(variant.title != null && { title: variant.title }),
          ...(variant.content != null && { content: variant.content }),
        };
      }
      if (Object.keys(out).length) request.localized = out;
    } else (request as Record<string, unknown>)[k] = v;
  }
  if (request.android?.priority !== undefined) {
    request.android = {
      ...request.android,
      priority: String(request.android.priority).toUpperCase(),
    };
  }
  return request;
}

/** The whole rule: the document schema, then the parsed request it describes. */
export const pushRequestSchema = pushRequestDocumentSchema.transform(toRequest);

/**
 * Parses one request. `path` prefixes field names in errors ("requests[2]." for check output,
 * "" for an outbox document, where the fields are the document's own).
 */
export function parsePushRequest(value: unknown, path = ''): Parsed<PushRequest> {
  if (!isPlainObject(value))
    return reject(path || '(request)', `${path || 'the request'} must be an object.`);
  return parseWith(pushRequestSchema, value, path);
}

/**
 * One of a check's cancels: `{ key, to }` (keys belong to a target); other fields are ignored.
 * Anything but an object is read as one without a key.
 */
export const cancelSchema = z.object({
  key: z
    .string({ error: CANCEL_KEY })
    .min(1, { error: CANCEL_KEY })
    .meta({ description: 'The key of the pending pushes to cancel.' }),
  to: targetSchema,
});
export type Cancel = z.output<typeof cancelSchema>;

/** Parses one cancel; `path` prefixes field names in errors ("cancel[1]."). */
export function parseCancel(value: unknown, path: string): Parsed<Cancel> {
  return parseWith(cancelSchema, isPlainObject(value) ? value : {}, path);
}
