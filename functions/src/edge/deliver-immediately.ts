import * as logger from 'firebase-functions/logger';
import type { Settings } from '../config/params';
import type { QueueResult } from '../use-cases/queue-pushes';
import { deliverNow } from '../use-cases/deliver-pushes';
import { expandNow } from '../use-cases/expand-notifications';
import type { DrainDeps } from '../use-cases/drain-pushes';

/**
 * Sends what a check queued for now, without waiting for the drain: notifications are expanded
 * to the user's devices at once, then their deliveries and the direct pushes are sent. A failure
 * here loses nothing: everything stays queued (or leased) and the scheduled drain picks it up.
 */
export async function deliverImmediately(
  deps: DrainDeps,
  dueNow: QueueResult['dueNow'],
  settings: Settings,
  eventId: string,
): Promise<void> {
  if (dueNow.pushIds.length === 0 && dueNow.notificationIds.length === 0) return;
  const runId = `event:${eventId}`;
  try {
    const expansion = await expandNow(deps, dueNow.notificationIds, {
      maxAttempts: settings.maxAttempts,
      leaseMs: settings.leaseMs,
      quietHoursSpreadMs: settings.quietHoursSpreadMs,
      runId,
    });
    const report = await deliverNow(deps, [...dueNow.pushIds, ...expansion.deliveryIds], {
      leaseMs: settings.leaseMs,
      leaseSafetyMs: settings.leaseSafetyMs,
      maxAttempts: settings.maxAttempts,
      backoffBaseMs: settings.backoffBaseMs,
      quietHoursSpreadMs: settings.quietHoursSpreadMs,
      runId,
    });
    const { tokenDeleteErrors, ...counts } = report;
    for (const error of tokenDeleteErrors)
      logger.warn('push.token_delete_failed', { eventId, error });
    logger.info('push.delivered_now', {
      eventId,
      expanded: expansion.expanded,
      // What users' preferences did: notifications of a category they turned off, and deliveries
      // created to wait for their quiet hours (sent by the drain when those end).
      suppressedNotifications: expansion.suppressedNotifications,
      deferredDeliveries: expansion.deferredDeliveries,
      ...counts,
    });
  } catch (err) {
    logger.warn('push.deliver_now_failed', {
      eventId,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
