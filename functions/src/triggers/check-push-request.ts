/**
 * checkPushRequest: the outbox trigger (pushRequests/{requestId} created). `retry: true`, so a
 * failure is retried instead of leaving the document without a status; ids derive from the
 * document's path and creation time, so a retry (or `fcm-push outbox --replay`) writes nothing
 * twice.
 */
import { onDocumentCreated } from 'firebase-functions/v2/firestore';
import * as logger from 'firebase-functions/logger';
import { REGION, readSettings } from '../config/params';
import { checkPathDeps } from '../edge/production-deps';
import { PUSH_REQUESTS } from '../adapters/outbox-store';
import { processPushRequest } from '../use-cases/outbox';
import { deliverImmediately } from '../edge/deliver-immediately';
import { tooOldToHandle } from '../edge/event-age';

export const checkPushRequest = onDocumentCreated(
  { document: `${PUSH_REQUESTS}/{requestId}`, region: REGION, memory: '256MiB', retry: true },
  async (event) => {
    const snap = event.data;
    if (!snap) return;
    const settings = readSettings();
    const nowMs = Date.now();
    if (tooOldToHandle(event, nowMs, settings.maxEventAgeMs, 'outbox')) return;
    // Read it again: an earlier attempt of this event may have recorded the outcome already.
    const current = await snap.ref.get();
    if (!current.exists || current.get('status') !== undefined) return;
    const deps = checkPathDeps(settings);
    const outcome = await processPushRequest(
      deps,
      { path: snap.ref.path, createTimeMs: snap.createTime.toMillis(), data: snap.data() },
      nowMs,
    );
    if (outcome.status === 'rejected') {
      logger.warn('outbox.rejected', {
        path: event.document,
        reason: outcome.reason,
        field: outcome.field,
      });
      return;
    }
    const q = outcome.queued;
    logger.info('outbox.accepted', {
      path: event.document,
      pushes: q.pushIds.length,
      notifications: q.notificationIds.length,
      dueNow: q.dueNow.pushIds.length + q.dueNow.notificationIds.length,
    });
    await deliverImmediately(deps, q.dueNow, settings, event.id);
    await Promise.all(deps.pendingStats);
  },
);
