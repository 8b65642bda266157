/**
 * A push request: what a check (or an outbox document) asks for, before targets are confirmed.
 * Parsed from outside data with field-path errors; times are epoch milliseconds.
 */
import { normaliseLocale } from './locale';
import { isPlainObject, ok, reject, unknownKey, type Parsed } from './parse';
import { categoryProblem, type Localized, type LocalizedText } from './preferences';

export type RequestTarget =
  { uid: string } | { token: string } | { topic: string } | { condition: string };

/** What a push shows and how each platform treats it: shared by requests and queued pushes. */
export interface PushContent {
  title?: string;
  content?: string;
  image?: string;
  data?: Record<string, string>;
  /** Groups messages on the device (Android collapse_key, apns-collapse-id). */
  collapseKey?: string;
  ttlSeconds?: number;
  priority?: 'normal' | 'high';
  android?: Record<string, unknown>;
  apns?: Record<string, unknown>;
  webpush?: Record<string, unknown>;
  /** What the push is about, for the user's opt-outs; absent means "default". */
  category?: string;
  /** Text per language (canonical BCP 47 tags), picked per device when it is sent. */
  localized?: Localized;
  /** Send even inside the user's quiet hours (security codes, alarms). */
  ignoreQuietHours?: boolean;
}

export interface PushRequest extends PushContent {
  to: RequestTarget;
  /** When to send (epoch ms); absent means now. */
  reservedAtMs?: number;
  /** Never send after this (epoch ms). */
  expiresAtMs?: number;
  /** A later request with the same key replaces (cancels) this one while it is still pending. */
  key?: string;
}

export const PUSH_REQUEST_FIELDS = [
  'to',
  'title',
  'content',
  'image',
  'data',
  'reservedAt',
  'expiresAt',
  'key',
  'collapseKey',
  'ttlSeconds',
  'priority',
  'android',
  'apns',
  'webpush',
  'category',
  'localized',
  'ignoreQuietHours',
] as const;

const MAX_TTL_SECONDS = 2_419_200;
/** Languages one request may carry. */
export const MAX_LOCALIZED = 50;
const TEXT_LIMITS = { title: 1024, content: 4096 } as const;

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

export function parseTarget(value: unknown, path: string): Parsed<RequestTarget> {
  if (!isPlainObject(value)) {
    return reject(path, `${path} must be one of {uid}, {token}, {topic}, {condition}.`);
  }
  const keys = Object.keys(value);
  const kinds = ['uid', 'token', 'topic', 'condition'];
  if (keys.length !== 1 || !kinds.includes(keys[0])) {
    return reject(path, `${path} must have exactly one of uid, token, topic, condition.`);
  }
  const kind = keys[0];
  const v = value[kind];
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096) {
    return reject(
      `${path}.${kind}`,
      `${path}.${kind} must be a non-empty string (at most 4,096 characters).`,
    );
  }
  if (kind === 'topic' && !/^[a-zA-Z0-9\-_.~%]{1,900}$/.test(v.replace(/^\/topics\//, ''))) {
    return reject(`${path}.topic`, `${path}.topic must match [a-zA-Z0-9-_.~%]+.`);
  }
  return ok({ [kind]: v } as RequestTarget);
}

function optionalText(
  obj: Record<string, unknown>,
  field: string,
  path: string,
  max: number,
): Parsed<string | undefined> {
  const v = obj[field];
  if (v === undefined || v === null) return ok(undefined);
  if (typeof v !== 'string') return reject(`${path}${field}`, `${path}${field} must be a string.`);
  if (v.length > max)
    return reject(`${path}${field}`, `${path}${field} must be at most ${max} characters.`);
  return ok(v);
}

function optionalObject(
  obj: Record<string, unknown>,
  field: string,
  path: string,
): Parsed<Record<string, unknown> | undefined> {
  const v = obj[field];
  if (v === undefined || v === null) return ok(undefined);
  if (!isPlainObject(v)) return reject(`${path}${field}`, `${path}${field} must be an object.`);
  return ok(v);
}

/**
 * Parses one request. `path` prefixes field names in errors ("requests[2]." for check output,
 * "" for an outbox document, where the fields are the document's own).
 */
export function parsePushRequest(value: unknown, path = ''): Parsed<PushRequest> {
  if (!isPlainObject(value))
    return reject(path || '(request)', `${path || 'the request'} must be an object.`);
  const extra = unknownKey(value, PUSH_REQUEST_FIELDS);
  if (extra !== undefined) {
    return reject(
      `${path}${extra}`,
      `${path}${extra} is not a known field (allowed: ${PUSH_REQUEST_FIELDS.join(', ')}).`,
    );
  }
  if (value.to === undefined)
    return reject(`${path}to`, `${path}to is required: {uid}, {token}, {topic} or {condition}.`);
  const to = parseTarget(value.to, `${path}to`);
  if (!to.ok) return to;
  const request: PushRequest = { to: to.value };

  for (const [field, max] of [
    ['title', 1024],
    ['content', 4096],
    ['image', 2048],
    ['key', 256],
    ['collapseKey', 64],
  ] as const) {
    const r = optionalText(value, field, path, max);
    if (!r.ok) return r;
    if (r.value !== undefined) request[field] = r.value;
  }

  if (value.data !== undefined && value.data !== null) {
    if (!isPlainObject(value.data))
      return reject(`${path}data`, `${path}data must be an object of string values.`);
    for (const [k, v] of Object.entries(value.data)) {
      if (typeof v !== 'string')
        return reject(
          `${path}data.${k}`,
          `${path}data.${k} must be a string (FCM data values are strings).`,
        );
    }
    request.data = value.data as Record<string, string>;
  }
  if (request.title === undefined && request.content === undefined && request.data === undefined) {
    return reject(
      `${path}title`,
      `${path}title, ${path}content or ${path}data is required: the push would be empty.`,
    );
  }

  for (const field of ['reservedAt', 'expiresAt'] as const) {
    const raw = value[field];
    if (raw === undefined || raw === null) continue;
    const ms = toEpochMs(raw);
    if (ms === undefined)
      return reject(
        `${path}${field}`,
        `${path}${field} must be a timestamp (Timestamp, Date or ISO 8601 string).`,
      );
    request[field === 'reservedAt' ? 'reservedAtMs' : 'expiresAtMs'] = ms;
  }
  if (
    request.reservedAtMs !== undefined &&
    request.expiresAtMs !== undefined &&
    request.expiresAtMs <= request.reservedAtMs
  ) {
    return reject(`${path}expiresAt`, `${path}expiresAt must be later than ${path}reservedAt.`);
  }

  if (value.ttlSeconds !== undefined && value.ttlSeconds !== null) {
    const ttl = value.ttlSeconds;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
      return reject(
        `${path}ttlSeconds`,
        `${path}ttlSeconds must be an integer from 0 to ${MAX_TTL_SECONDS} (28 days).`,
      );
    }
    request.ttlSeconds = ttl;
  }
  if (value.priority !== undefined && value.priority !== null) {
    if (value.priority !== 'normal' && value.priority !== 'high') {
      return reject(`${path}priority`, `${path}priority must be "normal" or "high".`);
    }
    request.priority = value.priority;
  }
  for (const field of ['android', 'apns', 'webpush'] as const) {
    const r = optionalObject(value, field, path);
    if (!r.ok) return r;
    if (r.value !== undefined) request[field] = r.value;
  }
  if (request.android?.priority !== undefined) {
    // FCM documents "normal" / "high" (firebase-admin sends them so); the enum names work too.
    const p = request.android.priority;
    if (typeof p !== 'string' || !/^(normal|high)$/i.test(p)) {
      return reject(
        `${path}android.priority`,
        `${path}android.priority must be "normal" or "high" (either case).`,
      );
    }
    request.android = { ...request.android, priority: p.toUpperCase() };
  }

  if (value.category !== undefined && value.category !== null) {
    const problem = categoryProblem(value.category);
    if (problem) return reject(`${path}category`, `${path}category ${problem}.`);
    request.category = value.category as string;
  }
  if (value.ignoreQuietHours !== undefined && value.ignoreQuietHours !== null) {
    if (typeof value.ignoreQuietHours !== 'boolean') {
      return reject(`${path}ignoreQuietHours`, `${path}ignoreQuietHours must be true or false.`);
    }
    if (value.ignoreQuietHours) request.ignoreQuietHours = true;
  }
  if (value.localized !== undefined && value.localized !== null) {
    const localized = parseLocalized(value.localized, `${path}localized`);
    if (!localized.ok) return localized;
    if ('topic' in request.to || 'condition' in request.to) {
      return reject(
        `${path}localized`,
        `${path}localized is for pushes to a user or a token: a topic or condition push goes to ` +
          'many devices at once and has no language (send one per language topic instead).',
      );
    }
    if (Object.keys(localized.value).length) request.localized = localized.value;
  }
  return ok(request);
}

/**
 * `localized: { [locale]: { title?, content? } }`: each tag normalised as token registration
 * normalises a device's locale (`en_US` -> `en-US`), but refused when it cannot be, naming it.
 */
function parseLocalized(value: unknown, path: string): Parsed<Localized> {
  if (!isPlainObject(value)) {
    return reject(path, `${path} must be an object such as { "ko-KR": { "title": "…" } }.`);
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_LOCALIZED) {
    return reject(path, `${path} may hold at most ${MAX_LOCALIZED} languages.`);
  }
  const out: Localized = {};
  for (const [tag, variant] of entries) {
    const field = `${path}.${tag === '' ? '""' : tag}`;
    const locale = normaliseLocale(tag);
    if (!locale.ok) return reject(field, `${field}: ${locale.reason}.`);
    if (out[locale.value] !== undefined) {
      return reject(field, `${field} is the same language tag as another key (${locale.value}).`);
    }
    if (!isPlainObject(variant)) {
      return reject(field, `${field} must be an object with title and/or content.`);
    }
    const extra = unknownKey(variant, ['title', 'content']);
    if (extra !== undefined) {
      return reject(
        `${field}.${extra}`,
        `${field}.${extra} is not a known field (title, content).`,
      );
    }
    const text: LocalizedText = {};
    for (const key of ['title', 'content'] as const) {
      const v = variant[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string')
        return reject(`${field}.${key}`, `${field}.${key} must be a string.`);
      if (v.length > TEXT_LIMITS[key]) {
        return reject(
          `${field}.${key}`,
          `${field}.${key} must be at most ${TEXT_LIMITS[key]} characters.`,
        );
      }
      text[key] = v;
    }
    if (text.title === undefined && text.content === undefined) {
      return reject(field, `${field} must have a title or a content.`);
    }
    out[locale.value] = text;
  }
  return ok(out);
}
