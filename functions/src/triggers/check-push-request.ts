/** checkPushRequest: the outbox trigger (pushRequests/{requestId} created). */
import { onDocumentCreated } from 'firebase-functions/v2/firestore';
import * as logger from 'firebase-functions/logger';
import { FieldValue } from 'firebase-admin/firestore';
import { REGION, readSettings } from '../config/params';
import { deliveryDeps } from '../adapters/delivery-deps';
import { acceptPushRequest, PUSH_REQUESTS } from '../use-cases/outbox';
import { deliverImmediately } from './deliver-immediately';

export const checkPushRequest = onDocumentCreated(
  { document: `${PUSH_REQUESTS}/{requestId}`, region: REGION, memory: '256MiB' },
  async (event) => {
    const snap = event.data;
    if (!snap) return;
    const deps = deliveryDeps();
    const outcome = await acceptPushRequest(deps, snap.data(), {
      eventId: event.id,
      path: event.document,
      nowMs: Date.now(),
    });
    if (outcome.status === 'rejected') {
      logger.warn('outbox.rejected', {
        path: event.document,
        reason: outcome.reason,
        field: outcome.field,
      });
      await snap.ref.update({
        status: 'rejected',
        reason: outcome.reason,
        ...(outcome.field ? { field: outcome.field } : {}),
        processedAt: FieldValue.serverTimestamp(),
      });
      return;
    }
    const q = outcome.queued;
    await snap.ref.update({
      status: 'accepted',
      pushIds: q.pushIds,
      skipped: q.skipped.map((s) => s.reason),
      processedAt: FieldValue.serverTimestamp(),
    });
    logger.info('outbox.accepted', {
      path: event.document,
      pushes: q.pushIds.length,
      dueNow: q.dueNowIds.length,
    });
    await deliverImmediately(deps, q.dueNowIds, readSettings(), event.id);
  },
);
