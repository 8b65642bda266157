/**
 * Checks an FCM v1 message before it is sent, so a bad message costs no request and gets an
 * error naming the field (`message.data.from`, `message.android.ttl`, ...).
 *
 * Pure: plain data in, a list of field violations out (empty when the message is valid).
 *
 * Payload size: FCM limits the payload to 4,096 bytes. We measure the UTF-8 length of
 * `JSON.stringify` of the message *without its target* (token/topic/condition are addressing, not
 * payload). That counts JSON punctuation FCM does not, so it errs on the safe side: a message we
 * accept is never rejected by FCM for size. The local FCM server measures the same way.
 */
import type { FcmMessage, FieldViolation } from './types';

export const MAX_PAYLOAD_BYTES = 4096;
/** Android TTL range: 0 to 28 days. */
export const MAX_ANDROID_TTL_SECONDS = 2_419_200;
/** FCM topic names (without the `/topics/` prefix). */
export const TOPIC_PATTERN = /^[a-zA-Z0-9\-_.~%]{1,900}$/;
/** Data keys FCM reserves for itself. */
export const RESERVED_DATA_KEYS: readonly string[] = ['from', 'notification', 'message_type'];
export const RESERVED_DATA_KEY_PREFIXES: readonly string[] = ['google.', 'gcm.'];
/** Protobuf Duration in seconds as FCM accepts it: "3600s", "1.5s". */
const DURATION_PATTERN = /^(\d+)(\.\d{1,9})?s$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Violations {
  readonly list: FieldViolation[] = [];
  add(field: string, description: string): void {
    this.list.push({ field, description });
  }
}

/** `{field: value}` maps whose values must be strings (data, headers). */
function checkStringMap(v: Violations, path: string, value: unknown): value is Json {
  if (value === undefined) return false;
  if (!isObject(value)) {
    v.add(path, 'must be an object of string values');
    return false;
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') v.add(`${path}.${key}`, `must be a string, got ${typeof item}`);
  }
  return true;
}

function checkDataKeys(v: Violations, path: string, data: Json): void {
  for (const key of Object.keys(data)) {
    const lower = key.toLowerCase();
    if (RESERVED_DATA_KEYS.includes(lower)) {
      v.add(`${path}.${key}`, `"${key}" is a reserved key`);
    } else if (RESERVED_DATA_KEY_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
      v.add(
        `${path}.${key}`,
        `keys starting with ${RESERVED_DATA_KEY_PREFIXES.join(' or ')} are reserved`,
      );
    }
  }
}

function checkOptionalString(v: Violations, path: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') v.add(path, 'must be a string');
}

function checkObject(v: Violations, path: string, value: unknown): value is Json {
  if (value === undefined) return false;
  if (!isObject(value)) {
    v.add(path, 'must be an object');
    return false;
  }
  return true;
}

function checkTarget(v: Violations, message: Json): void {
  const targets = (['token', 'topic', 'condition'] as const).filter(
    (key) => message[key] !== undefined,
  );
  if (targets.length !== 1) {
    v.add(
      'message',
      targets.length === 0
        ? 'exactly one of token, topic or condition is required'
        : `exactly one of token, topic or condition is allowed, got ${targets.join(', ')}`,
    );
  }
  for (const key of targets) {
    const value = message[key];
    if (typeof value !== 'string' || value.trim() === '') {
      v.add(`message.${key}`, 'must be a non-empty string');
    } else if (key === 'token' && /\s/.test(value)) {
      v.add('message.token', 'must not contain whitespace');
    } else if (key === 'topic' && !TOPIC_PATTERN.test(value)) {
      v.add('message.topic', 'must match [a-zA-Z0-9-_.~%]{1,900}, without the "/topics/" prefix');
    }
  }
}

export function parseDurationSeconds(value: string): number | undefined {
  const match = DURATION_PATTERN.exec(value);
  return match ? Number(match[1]) + Number(match[2] ?? 0) : undefined;
}

function checkAndroid(v: Violations, android: unknown): void {
  if (!checkObject(v, 'message.android', android)) return;
  checkOptionalString(v, 'message.android.collapse_key', android.collapse_key);
  checkOptionalString(
    v,
    'message.android.restricted_package_name',
    android.restricted_package_name,
  );
  if (
    android.priority !== undefined &&
    android.priority !== 'NORMAL' &&
    android.priority !== 'HIGH'
  ) {
    v.add('message.android.priority', 'must be "NORMAL" or "HIGH"');
  }
  if (android.ttl !== undefined) {
    const seconds = typeof android.ttl === 'string' ? parseDurationSeconds(android.ttl) : undefined;
    if (seconds === undefined) {
      v.add('message.android.ttl', 'must be a duration in seconds such as "3600s"');
    } else if (seconds > MAX_ANDROID_TTL_SECONDS) {
      v.add('message.android.ttl', `must be at most ${MAX_ANDROID_TTL_SECONDS}s (28 days)`);
    }
  }
  if (checkStringMap(v, 'message.android.data', android.data)) {
    checkDataKeys(v, 'message.android.data', android.data as Json);
  }
  checkObject(v, 'message.android.notification', android.notification);
}

function checkApns(v: Violations, apns: unknown): void {
  if (!checkObject(v, 'message.apns', apns)) return;
  checkStringMap(v, 'message.apns.headers', apns.headers);
  if (checkObject(v, 'message.apns.payload', apns.payload)) {
    checkObject(v, 'message.apns.payload.aps', (apns.payload as Json).aps);
  }
}

function checkWebpush(v: Violations, webpush: unknown): void {
  if (!checkObject(v, 'message.webpush', webpush)) return;
  checkStringMap(v, 'message.webpush.headers', webpush.headers);
  checkStringMap(v, 'message.webpush.data', webpush.data);
  checkObject(v, 'message.webpush.notification', webpush.notification);
  if (checkObject(v, 'message.webpush.fcm_options', webpush.fcm_options)) {
    const link = (webpush.fcm_options as Json).link;
    checkOptionalString(v, 'message.webpush.fcm_options.link', link);
    if (typeof link === 'string' && !link.startsWith('https://')) {
      v.add('message.webpush.fcm_options.link', 'must be an https:// URL');
    }
  }
}

/** Size of the message as FCM counts it against the 4,096-byte limit (see file comment). */
export function payloadByteLength(message: FcmMessage): number {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { token: _token, topic: _topic, condition: _condition, ...payload } = message;
  return Buffer.byteLength(JSON.stringify(payload), 'utf8');
}

/** Returns every problem found; an empty list means the message can be sent. */
export function validateFcmMessage(message: unknown): FieldViolation[] {
  const v = new Violations();
  if (!isObject(message)) {
    v.add('message', 'must be an object');
    return v.list;
  }
  checkTarget(v, message);
  if (checkObject(v, 'message.notification', message.notification)) {
    const notification = message.notification as Json;
    for (const key of ['title', 'body', 'image']) {
      checkOptionalString(v, `message.notification.${key}`, notification[key]);
    }
  }
  if (checkStringMap(v, 'message.data', message.data)) {
    checkDataKeys(v, 'message.data', message.data as Json);
  }
  checkAndroid(v, message.android);
  checkApns(v, message.apns);
  checkWebpush(v, message.webpush);
  if (v.list.length === 0) {
    const bytes = payloadByteLength(message as FcmMessage);
    if (bytes > MAX_PAYLOAD_BYTES) {
      v.add('message', `payload is ${bytes} bytes, more than the ${MAX_PAYLOAD_BYTES}-byte limit`);
    }
  }
  return v.list;
}
