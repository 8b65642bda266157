/**
 * A queued push (one `pushes` document = one message to one target) and the pure rules around it:
 * deterministic ids, planning from confirmed requests, and the FCM message it becomes.
 */
import { createHash } from 'node:crypto';
import type { FcmMessage } from '../fcm/types';
import type { PushContent, PushRequest } from './push-request';

export type PushTarget = { token: string } | { topic: string } | { condition: string };

export const PUSH_STATUSES = [
  'pending',
  'sending',
  'sent',
  'failed',
  'rejected',
  'expired',
  'cancelled',
] as const;
export type PushStatus = (typeof PUSH_STATUSES)[number];
export const FINAL_STATUSES: readonly PushStatus[] = [
  'sent',
  'failed',
  'rejected',
  'expired',
  'cancelled',
];

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
  /** The user the push is for, when the request named one (drives the in-app inbox rules). */
  uid?: string;
  request: PushRequest;
  reservedAtMs: number;
  source: PushSource;
}

/** The fields of a queued push the sender needs (read back from Firestore). */
export interface QueuedPush extends PushContent {
  id: string;
  target: PushTarget;
  attempts: number;
  expiresAtMs?: number;
}

/**
 * Push ids derive from the trigger event, the request's place in the check's output and the
 * target, so a redelivered event (triggers are at-least-once) maps to the same documents.
 */
export function pushIdOf(eventId: string, requestIndex: number, target: PushTarget): string {
  const targetKey =
    'token' in target
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
    uid?: string;
    index?: number;
  }>,
  context: { eventId: string; nowMs: number; source: Omit<PushSource, 'eventId'> },
): PlannedPush[] {
  const out: PlannedPush[] = [];
  confirmed.forEach(({ request, targets, uid, index }, position) => {
    for (const target of targets) {
      const planned: PlannedPush = {
        id: pushIdOf(context.eventId, index ?? position, target),
        target,
        request,
        reservedAtMs: request.reservedAtMs ?? context.nowMs,
        source: { ...context.source, eventId: context.eventId },
      };
      if (uid !== undefined) planned.uid = uid;
      out.push(planned);
    }
  });
  return out;
}

/** Data key carrying the push id, so an app can drop the rare duplicate delivery. */
export const PUSH_ID_DATA_KEY = 'push_id';

/**
 * The v1 message for a queued push. The push id also becomes the Android notification tag and
 * the apns-collapse-id, so if a crash ever makes us send a push twice, the device shows it once.
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
  headers['apns-collapse-id'] ??= (push.collapseKey ?? push.id).slice(0, 64);
  if (push.priority) headers['apns-priority'] ??= push.priority === 'high' ? '10' : '5';
  if (push.ttlSeconds !== undefined)
    headers['apns-expiration'] ??= String(Math.floor(nowMs / 1000) + push.ttlSeconds);
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
