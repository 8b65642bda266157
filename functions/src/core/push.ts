/**
 * A queued push (one `pushes` document = one message to one target) and the pure rules around it:
 * deterministic ids, planning from confirmed requests, and the FCM message it becomes.
 */
import { createHash } from 'node:crypto';
import type { FcmMessage } from '../fcm/types';
import { headerOf, isApnsBackground } from '../fcm/validate';
import type { PushContent, PushRequest } from './push-request';
import type { PlannedNotification } from './notification';
import type { QuietWindow } from './preferences';

export type PushTarget = { token: string } | { topic: string } | { condition: string };

export { FINAL_STATUSES, PUSH_STATUSES, type PushStatus } from './statuses';

/** Where a push came from, kept on the document for operators. */
export interface PushSource {
  path: string;
  eventId: string;
  check: string;
}

/** A push about to be written, in plain data (times in epoch ms). */
export interface PlannedPush {
  id: string;
  target: PushTarget;
  /**
   * The user a device delivery is for: its token must still be this user's when the delivery is
   * claimed (checked on every attempt). Absent for token, topic and condition requests.
   */
  uid?: string;
  /** The notification this delivery was expanded from. */
  notificationId?: string;
  request: PushRequest;
  reservedAtMs: number;
  source: PushSource;
  /** A user's delivery: the `localized` variant its title/content were taken from. */
  contentLocale?: string;
  /**
   * A user's delivery created inside the user's quiet hours: due at `untilMs` instead of at once
   * (`ends: 'expired'`: the window outlasts `expiresAt`, so it is written already expired).
   */
  quietHours?: { quiet: QuietWindow; untilMs?: number; ends?: 'expired' };
  /** Who queued it, when a person did (an operator's test send): the `by` of its `queued` entry. */
  queuedBy?: string;
}

/** The fields of a queued push the sender needs (read back from Firestore). */
export interface QueuedPush extends PushContent {
  id: string;
  target: PushTarget;
  attempts: number;
  expiresAtMs?: number;
  /** Set on a user's device delivery: the claim checks that the token is still theirs. */
  uid?: string;
}

/**
 * Push (and notification) ids derive from the trigger event, the request's place in the check's
 * output and the target, so a redelivered event (triggers are at-least-once) maps to the same
 * documents.
 */
export function pushIdOf(
  eventId: string,
  requestIndex: number,
  target: PushTarget | { uid: string },
): string {
  const targetKey =
    'uid' in target
      ? `uid:${target.uid}`
      : 'token' in target
        ? `token:${target.token}`
        : 'topic' in target
          ? `topic:${target.topic}`
          : `condition:${target.condition}`;
  return createHash('sha256')
    .update(`${eventId}\n${requestIndex}\n${targetKey}`)
    .digest('hex')
    .slice(0, 32);
}

/** One planned push per confirmed target of each request. */
export function planPushes(
  confirmed: ReadonlyArray<{
    request: PushRequest;
    targets: PushTarget[];
    index?: number;
  }>,
  context: { eventId: string; nowMs: number; source: Omit<PushSource, 'eventId'> },
): PlannedPush[] {
  const out: PlannedPush[] = [];
  confirmed.forEach(({ request, targets, index }, position) => {
    for (const target of targets) {
      out.push({
        id: pushIdOf(context.eventId, index ?? position, target),
        target,
        request,
        reservedAtMs: request.reservedAtMs ?? context.nowMs,
        source: { ...context.source, eventId: context.eventId },
      });
    }
  });
  return out;
}

/** What a request becomes in the queue: a notification for a user, or a push for the rest. */
export type PlannedEntry =
  | { kind: 'notification'; index: number; notification: PlannedNotification }
  | { kind: 'push'; index: number; push: PlannedPush };

/**
 * A request for a user becomes one notification, resolved to devices when it is due; a request
 * for a token, topic or condition becomes the push itself.
 */
export function planRequest(
  index: number,
  request: PushRequest,
  context: {
    eventId: string;
    nowMs: number;
    source: Omit<PushSource, 'eventId'>;
    /** An operator's uid, written as `by` on the `queued` history entry. */
    by?: string;
  },
): PlannedEntry {
  const by = context.by !== undefined ? { queuedBy: context.by } : {};
  const source = { ...context.source, eventId: context.eventId };
  const reservedAtMs = request.reservedAtMs ?? context.nowMs;
  const to = request.to;
  if ('uid' in to) {
    return {
      kind: 'notification',
      index,
      notification: {
        id: pushIdOf(context.eventId, index, to),
        uid: to.uid,
        request,
        reservedAtMs,
        source,
        ...by,
      },
    };
  }
  const target: PushTarget =
    'token' in to
      ? { token: to.token }
      : 'topic' in to
        ? { topic: to.topic.replace(/^\/topics\//, '') }
        : { condition: to.condition };
  return {
    kind: 'push',
    index,
    push: {
      id: pushIdOf(context.eventId, index, target),
      target,
      request,
      reservedAtMs,
      source,
      ...by,
    },
  };
}

/** Data key carrying the push id, so an app can drop the rare duplicate delivery. */
export const PUSH_ID_DATA_KEY = 'push_id';

/** Sets header `name` unless the headers already carry it under any letter case. */
function setHeaderDefault(headers: Record<string, string>, name: string, value: string): void {
  if (headerOf(headers, name) === undefined) headers[name] = value;
}

/**
 * The v1 message for a queued push. The push id also becomes the Android notification tag and
 * the apns-collapse-id, so if a crash ever makes us send a push twice, the device shows it once.
 *
 * A data-only push (no title, content or image, and no alert, sound or badge of its own in
 * `apns.payload.aps`) goes to Apple devices as a background notification: `apns-priority: 5`,
 * `apns-push-type: background`, `content-available: 1`. FCM refuses `apns-priority: 10` for data
 * messages to Apple devices (REST reference, `Message.data`), so `priority: 'high'` only raises
 * Android's priority for them. A request that sets `apns-priority: 10` itself on such a push keeps
 * it, and `validateFcmMessage` refuses it when it is queued. `android.priority` given in either
 * case ("high", "HIGH") is sent in the enum's case.
 */
export function buildFcmMessage(push: QueuedPush, nowMs: number): FcmMessage {
  const message: FcmMessage = { ...push.target };
  const hasNotification =
    push.title !== undefined || push.content !== undefined || push.image !== undefined;
  if (hasNotification) {
    message.notification = {};
    if (push.title !== undefined) message.notification.title = push.title;
    if (push.content !== undefined) message.notification.body = push.content;
    if (push.image !== undefined) message.notification.image = push.image;
  }
  message.data = { ...(push.data ?? {}), [PUSH_ID_DATA_KEY]: push.id };

  const android: Record<string, unknown> = { ...(push.android ?? {}) };
  if (typeof android.priority === 'string' && /^(normal|high)$/i.test(android.priority)) {
    android.priority = android.priority.toUpperCase();
  }
  if (push.priority) android.priority = push.priority === 'high' ? 'HIGH' : 'NORMAL';
  if (push.ttlSeconds !== undefined) android.ttl = `${push.ttlSeconds}s`;
  if (push.collapseKey !== undefined) android.collapse_key = push.collapseKey;
  if (hasNotification) {
    const notification = { ...((android.notification as Record<string, unknown>) ?? {}) };
    notification.tag ??= push.id;
    android.notification = notification;
  }
  if (Object.keys(android).length) message.android = android;

  const apns: Record<string, unknown> = { ...(push.apns ?? {}) };
  const headers: Record<string, string> = { ...((apns.headers as Record<string, string>) ?? {}) };
  setHeaderDefault(headers, 'apns-collapse-id', (push.collapseKey ?? push.id).slice(0, 64));
  if (isApnsBackground({ notification: message.notification, apns })) {
    setHeaderDefault(headers, 'apns-priority', '5');
    setHeaderDefault(headers, 'apns-push-type', 'background');
    const payload = { ...((apns.payload as Record<string, unknown>) ?? {}) };
    payload.aps = { ...((payload.aps as Record<string, unknown>) ?? {}), 'content-available': 1 };
    apns.payload = payload;
  } else if (push.priority) {
    setHeaderDefault(headers, 'apns-priority', push.priority === 'high' ? '10' : '5');
  }
  if (push.ttlSeconds !== undefined)
    setHeaderDefault(
      headers,
      'apns-expiration',
      String(Math.floor(nowMs / 1000) + push.ttlSeconds),
    );
  apns.headers = headers;
  message.apns = apns;

  if (push.webpush) message.webpush = push.webpush;
  if (push.ttlSeconds !== undefined || push.webpush) {
    const webpush = { ...(push.webpush ?? {}) } as Record<string, unknown>;
    if (push.ttlSeconds !== undefined) {
      webpush.headers = {
        ...((webpush.headers as Record<string, string>) ?? {}),
        TTL: String(push.ttlSeconds),
      };
    }
    message.webpush = webpush;
  }
  return message;
}
