/**
 * A notification: one push request for one user (`notifications/{id}`), kept as a single document
 * until it is due. Only then is it expanded into one delivery (`pushes/{id}`) per device the user
 * has at that moment, so a reserved push follows the user's devices as they are at send time: a
 * token that moved to another user, or was unregistered, never receives it; a rotated token or a
 * device registered later does.
 */
import { createHash } from 'node:crypto';
import type { PushRequest } from './push-request';
import type { PushSource } from './push';
import {
  categoryOf,
  decideDelivery,
  isOptedOut,
  optedOutCode,
  type DeliveryDecision,
  type DeviceInfo,
  type PushPreferences,
} from './preferences';

export { NOTIFICATION_STATUSES, type NotificationStatus } from './statuses';

/** A notification about to be written, in plain data (times in epoch ms). */
export interface PlannedNotification {
  id: string;
  uid: string;
  request: PushRequest;
  reservedAtMs: number;
  source: PushSource;
  /** Who queued it, when a person did (an operator's test send): `by` on its `queued` entry. */
  queuedBy?: string;
}

/** The fields of a stored notification the expansion needs. */
export interface QueuedNotification {
  id: string;
  uid: string;
  request: PushRequest;
  reservedAtMs: number;
  attempts: number;
  source: PushSource;
}

/**
 * A delivery's id derives from its notification and the device's token id: an expansion that is
 * replayed (a crash, an overlapping run) writes the same documents, create-if-absent.
 */
export function deliveryIdOf(notificationId: string, tokenId: string): string {
  return createHash('sha256').update(`${notificationId}\n${tokenId}`).digest('hex').slice(0, 32);
}

/** What one device of an expanded notification gets (never `suppress`: that is per user). */
export type DeviceDecision = Exclude<DeliveryDecision, { kind: 'suppress' }>;

/** What an expansion decides for one claimed notification, given the user's devices now. */
export type ExpansionDecision =
  | { kind: 'expire' }
  | { kind: 'exhausted' }
  /** The user turned the notification's category off: no delivery, never sent. */
  | { kind: 'suppressed'; category: string; code: string }
  | { kind: 'no-devices' }
  | {
      kind: 'expand';
      deliveries: Array<{ id: string; token: string; tokenId: string; decision: DeviceDecision }>;
    };

export interface ExpansionContext {
  nowMs: number;
  maxAttempts: number;
  /** The user's preferences as stored now (absent: none set). */
  preferences?: PushPreferences;
  /** One number in [0, 1) per call: where a deferred delivery lands in the spread. */
  random?: () => number;
  /** QUIET_HOURS_SPREAD_MINUTES in ms. */
  quietHoursSpreadMs?: number;
}

/**
 * Expiry and exhaustion first, then the user's opt-out (a category turned off ends the
 * notification `suppressed` whatever the devices), then one delivery per device, each with what
 * the user's preferences decide for that device: its language, and whether quiet hours (in its
 * zone) defer it or outlast its expiry.
 */
export function decideExpansion(
  notification: {
    id: string;
    attempts: number;
    expiresAtMs?: number;
    request?: Pick<
      PushRequest,
      'category' | 'localized' | 'ignoreQuietHours' | 'title' | 'content' | 'expiresAtMs'
    >;
  },
  devices: ReadonlyArray<{ tokenId: string; token: string } & DeviceInfo>,
  ctx: ExpansionContext,
): ExpansionDecision {
  if (notification.expiresAtMs !== undefined && notification.expiresAtMs <= ctx.nowMs)
    return { kind: 'expire' };
  // The claim counted this attempt: more than maxAttempts means earlier runs died mid-expansion.
  if (notification.attempts > ctx.maxAttempts) return { kind: 'exhausted' };
  const request = notification.request ?? {};
  const category = categoryOf(request);
  if (isOptedOut(ctx.preferences, category))
    return { kind: 'suppressed', category, code: optedOutCode(category) };
  if (devices.length === 0) return { kind: 'no-devices' };
  const random = ctx.random ?? (() => 0);
  const input = { ...request, expiresAtMs: notification.expiresAtMs ?? request.expiresAtMs };
  return {
    kind: 'expand',
    deliveries: devices.map((d) => ({
      id: deliveryIdOf(notification.id, d.tokenId),
      token: d.token,
      tokenId: d.tokenId,
      decision: decideDelivery(input, ctx.preferences, d, {
        nowMs: ctx.nowMs,
        random: random(),
        spreadMs: ctx.quietHoursSpreadMs ?? 0,
      }) as DeviceDecision,
    })),
  };
}
