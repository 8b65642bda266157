/**
 * Checks an FCM v1 message before it is sent, so a bad message costs no request and gets an
 * error naming the field (`message.data.from`, `message.android.ttl`, ...).
 *
 * Pure: plain data in, a list of field violations out (empty when the message is valid).
 *
 * The rules, and where each comes from (FCM HTTP v1 REST reference,
 * https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages, and the error-code
 * reference, https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode):
 *
 * - Reserved data keys: `Message.data` says "The key should not be a reserved word ("from",
 *   "message_type", or any word starting with "google." or "gcm.notification.")". Exactly those,
 *   case-sensitively: `notification`, `gcm.x` or `From` are ordinary keys (FCM accepts
 *   `notification`; kreait/firebase-php 5.17.1 had to drop the same over-eager check).
 *   firebase-admin-node checks none of this client-side (it only ever listed `from`, for the
 *   legacy API) and leaves it to FCM.
 * - `android.priority`: the reference says it "Can take "normal" and "high" values" and
 *   firebase-admin sends them in lower case; the enum names `NORMAL`/`HIGH` are accepted too.
 * - Data-only messages to Apple devices: `Message.data` says "When sending payloads containing
 *   only data fields to iOS devices, only normal priority ("apns-priority": "5") is allowed", and
 *   https://firebase.google.com/docs/cloud-messaging/customize-messages/setting-message-priority
 *   that high priority is "rejected by the FCM backend with the error INVALID_ARGUMENT". A message
 *   without a notification whose `apns.payload.aps` has no alert, sound or badge that asks for
 *   `apns-priority: 10` is refused here, whatever the target (the apns block is only for Apple).
 * - Payload size: see `payloadBytesByPlatform`.
 */
import type { FcmMessage, FieldViolation } from './types';

export const MAX_PAYLOAD_BYTES = 4096;
/** "or 2048 bytes in the case of messages to topics" (ErrorCode reference, INVALID_ARGUMENT). */
export const MAX_TOPIC_PAYLOAD_BYTES = 2048;
/** Android TTL range: 0 to 28 days. */
export const MAX_ANDROID_TTL_SECONDS = 2_419_200;
/** FCM topic names (without the `/topics/` prefix). */
export const TOPIC_PATTERN = /^[a-zA-Z0-9\-_.~%]{1,900}$/;
/** Data keys FCM reserves for itself (REST reference, `Message.data`); case-sensitive. */
export const RESERVED_DATA_KEYS: readonly string[] = ['from', 'message_type'];
export const RESERVED_DATA_KEY_PREFIXES: readonly string[] = ['google.', 'gcm.notification.'];
/** `android.priority` as FCM accepts it: the documented lower case, or the enum names. */
export const ANDROID_PRIORITIES: readonly string[] = ['normal', 'high', 'NORMAL', 'HIGH'];
/** aps keys that make an APNs payload a user-visible notification rather than a background one. */
const APS_ALERT_KEYS: readonly string[] = ['alert', 'sound', 'badge'];
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
    if (RESERVED_DATA_KEYS.includes(key)) {
      v.add(`${path}.${key}`, `"${key}" is a reserved key`);
    } else if (RESERVED_DATA_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) {
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
    !(typeof android.priority === 'string' && ANDROID_PRIORITIES.includes(android.priority))
  ) {
    v.add('message.android.priority', 'must be "normal" or "high" (or "NORMAL" / "HIGH")');
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

/** The value of an HTTP header in `headers`, whatever the case of its name. */
export function headerOf(headers: unknown, name: string): unknown {
  if (!isObject(headers)) return undefined;
  const wanted = name.toLowerCase();
  const key = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : headers[key];
}

/**
 * Whether Apple devices get this message as a background (data-only) notification: no
 * `notification` block, and no alert, sound or badge in `apns.payload.aps`.
 */
export function isApnsBackground(message: { notification?: unknown; apns?: unknown }): boolean {
  if (message.notification !== undefined) return false;
  const apns = isObject(message.apns) ? message.apns : {};
  const payload = isObject(apns.payload) ? apns.payload : {};
  const aps = isObject(payload.aps) ? payload.aps : {};
  return !APS_ALERT_KEYS.some((key) => aps[key] !== undefined);
}

function checkApns(v: Violations, message: Json): void {
  const apns = message.apns;
  if (!checkObject(v, 'message.apns', apns)) return;
  checkStringMap(v, 'message.apns.headers', apns.headers);
  if (checkObject(v, 'message.apns.payload', apns.payload)) {
    checkObject(v, 'message.apns.payload.aps', (apns.payload as Json).aps);
  }
  if (headerOf(apns.headers, 'apns-priority') === '10' && isApnsBackground(message)) {
    v.add(
      'message.apns.headers.apns-priority',
      'must be "5" for a data-only message: FCM refuses high priority for data messages to Apple devices',
    );
  }
}

function checkWebpush(v: Violations, webpush: unknown): void {
  if (!checkObject(v, 'message.webpush', webpush)) return;
  checkStringMap(v, 'message.webpush.headers', webpush.headers);
  if (checkStringMap(v, 'message.webpush.data', webpush.data)) {
    checkDataKeys(v, 'message.webpush.data', webpush.data as Json);
  }
  checkObject(v, 'message.webpush.notification', webpush.notification);
  if (checkObject(v, 'message.webpush.fcm_options', webpush.fcm_options)) {
    const link = (webpush.fcm_options as Json).link;
    checkOptionalString(v, 'message.webpush.fcm_options.link', link);
    if (typeof link === 'string' && !link.startsWith('https://')) {
      v.add('message.webpush.fcm_options.link', 'must be an https:// URL');
    }
  }
}

export const PLATFORMS = ['android', 'apns', 'webpush'] as const;
export type DeliveryPlatform = (typeof PLATFORMS)[number];

/**
 * The payload each platform delivers, in UTF-8 bytes, as counted against FCM's limit.
 *
 * What FCM documents: "Maximum payload for both message types is 4096 bytes"
 * (https://firebase.google.com/docs/cloud-messaging/customize-messages/set-message-type), and for
 * INVALID_ARGUMENT "Message too big": "the total size of the payload data included in a message
 * does not exceed FCM limits: 4096 bytes for most messages, or 2048 bytes in the case of messages
 * to topics. This includes both the keys and the values." (ErrorCode reference). The target,
 * headers and delivery options (ttl, priority, collapse key, ...) are not payload.
 *
 * A message reaches each device through one platform, and the REST reference says the platform
 * blocks *override* the common fields for that platform (`android.data`, `webpush.data`,
 * `android.notification.title`, `apns.payload`, `webpush.notification`), so platform blocks are
 * never added together: one message with a 1,300-byte body mirrored into the APNs alert and the
 * web push notification is three payloads of ~2.6 KB, not one of ~3.9 KB. firebase-admin-node
 * does not measure payloads at all (it leaves size to FCM).
 *
 * What is not documented is exactly which bytes of a platform's payload count. So, conservatively:
 * each platform's payload is the UTF-8 JSON of the common `notification` and `data` plus that
 * platform's payload parts (android: notification, data; apns: payload, fcm_options; webpush:
 * notification, data, fcm_options), counting both the common fields and the platform's
 * overrides. JSON counts every key and value plus punctuation, so it never under-counts "keys and
 * values"; for APNs it is also what Apple counts against its own 4 KB limit.
 */
export function payloadBytesByPlatform(message: FcmMessage): Record<DeliveryPlatform, number> {
  const m = message as Json;
  const common: Json = {};
  if (m.notification !== undefined) common.notification = m.notification;
  if (m.data !== undefined) common.data = m.data;
  const pick = (block: unknown, keys: readonly string[]): Json | undefined => {
    if (!isObject(block)) return undefined;
    const out: Json = {};
    for (const key of keys) if (block[key] !== undefined) out[key] = block[key];
    return Object.keys(out).length > 0 ? out : undefined;
  };
  let commonBytes: number | undefined;
  const bytes = (platform: DeliveryPlatform, keys: readonly string[]): number => {
    const own = pick(m[platform], keys);
    if (!own) return (commonBytes ??= Buffer.byteLength(JSON.stringify(common), 'utf8'));
    return Buffer.byteLength(JSON.stringify({ ...common, [platform]: own }), 'utf8');
  };
  return {
    android: bytes('android', ['notification', 'data']),
    apns: bytes('apns', ['payload', 'fcm_options']),
    webpush: bytes('webpush', ['notification', 'data', 'fcm_options']),
  };
}

/** The largest platform payload of the message (see `payloadBytesByPlatform`). */
export function payloadByteLength(message: FcmMessage): number {
  return Math.max(...Object.values(payloadBytesByPlatform(message)));
}

/** 4,096 bytes, or 2,048 for messages to topics (a condition is a topic expression). */
export function payloadLimitOf(message: { topic?: unknown; condition?: unknown }): number {
  return message.topic !== undefined || message.condition !== undefined
    ? MAX_TOPIC_PAYLOAD_BYTES
    : MAX_PAYLOAD_BYTES;
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
  checkApns(v, message);
  checkWebpush(v, message.webpush);
  if (v.list.length === 0) {
    const limit = payloadLimitOf(message);
    const sizes = payloadBytesByPlatform(message as FcmMessage);
    const over = PLATFORMS.filter((platform) => sizes[platform] > limit);
    if (over.length > 0) {
      const bytes = Math.max(...over.map((platform) => sizes[platform]));
      v.add(
        'message',
        `payload is ${bytes} bytes (${over.join(', ')}), more than the ${limit}-byte limit` +
          (limit === MAX_TOPIC_PAYLOAD_BYTES ? ' for messages to topics' : ''),
      );
    }
  }
  return v.list;
}
