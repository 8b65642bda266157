import * as logger from 'firebase-functions/logger';
import type { Settings } from '../config/params';
import { deliverNow, type DeliverDeps } from '../use-cases/deliver-pushes';

/**
 * Sends pushes due now from the check path. A failure here loses nothing: the pushes stay queued
 * (or leased) and the scheduled drain picks them up.
 */
export async function deliverImmediately(
  deps: DeliverDeps,
  ids: readonly string[],
  settings: Settings,
  eventId: string,
): Promise<void> {
  if (ids.length === 0) return;
  try {
    const counts = await deliverNow(deps, ids, {
      leaseMs: settings.leaseMs,
      maxAttempts: settings.maxAttempts,
      backoffBaseMs: settings.backoffBaseMs,
      runId: `event:${eventId}`,
    });
    logger.info('push.delivered_now', { eventId, ...counts });
  } catch (err) {
    logger.warn('push.deliver_now_failed', {
      eventId,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
