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

export const NOTIFICATION_STATUSES = [
  'pending',
  'expanding',
  'expanded',
  'undeliverable',
  'cancelled',
  'expired',
  'failed',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** A notification about to be written, in plain data (times in epoch ms). */
export interface PlannedNotification {
  id: string;
  uid: string;
  request: PushRequest;
  reservedAtMs: number;
  source: PushSource;
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

/** What an expansion decides for one claimed notification, given the user's devices now. */
export type ExpansionDecision =
  | { kind: 'expire' }
  | { kind: 'exhausted' }
  | { kind: 'no-devices' }
  | { kind: 'expand'; deliveries: Array<{ id: string; token: string; tokenId: string }> };

export function decideExpansion(
  notification: { id: string; attempts: number; expiresAtMs?: number },
  devices: ReadonlyArray<{ tokenId: string; token: string }>,
  ctx: { nowMs: number; maxAttempts: number },
): ExpansionDecision {
  if (notification.expiresAtMs !== undefined && notification.expiresAtMs <= ctx.nowMs)
    return { kind: 'expire' };
  // The claim counted this attempt: more than maxAttempts means earlier runs died mid-expansion.
  if (notification.attempts > ctx.maxAttempts) return { kind: 'exhausted' };
  if (devices.length === 0) return { kind: 'no-devices' };
  return {
    kind: 'expand',
    deliveries: devices.map((d) => ({
      id: deliveryIdOf(notification.id, d.tokenId),
      token: d.token,
      tokenId: d.tokenId,
    })),
  };
}
