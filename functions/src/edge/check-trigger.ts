/**
 * Turns a check definition into its Firestore trigger: decode the event, run the check, log the
 * outcome, and deliver what is due now (instead of waiting for the next drain tick).
 *
 * `retry: true`: a failure (Firestore UNAVAILABLE, an instance dying mid-way) is retried rather
 * than losing the business event's pushes; every write derives from the event id, so a retry
 * writes nothing twice, and keyed writes compare event times (newest wins).
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import * as logger from 'firebase-functions/logger';
import { REGION, readSettings } from '../config/params';
import type { CheckDefinition, DocData } from '../core/define-check';
import { toPlainData } from '../adapters/plain-data';
import { checkPathDeps } from './production-deps';
import { runCheck } from '../use-cases/run-check';
import { deliverImmediately } from './deliver-immediately';
import { tooOldToHandle } from './event-age';

export function checkTrigger(check: CheckDefinition) {
  return onDocumentWritten(
    { document: check.document, region: REGION, memory: '256MiB', retry: true },
    async (event) => {
      const settings = readSettings();
      const nowMs = Date.now();
      if (tooOldToHandle(event, nowMs, settings.maxEventAgeMs, 'check')) return;
      const change = event.data;
      const before = change?.before.exists
        ? (toPlainData(change.before.data()) as DocData)
        : undefined;
      const after = change?.after.exists
        ? (toPlainData(change.after.data()) as DocData)
        : undefined;
      const deps = checkPathDeps(settings);
      const run = await runCheck(deps, check, {
        eventId: event.id,
        eventTimeMs: Date.parse(event.time),
        path: event.document,
        params: event.params as Record<string, string>,
        before,
        after,
        nowMs,
      });
      for (const bad of run.invalid) {
        logger.error('check.invalid_request', {
          check: check.name,
          path: event.document,
          index: bad.index,
          reason: bad.reason,
        });
      }
      if (
        run.pushIds.length ||
        run.notificationIds.length ||
        run.skipped.length ||
        run.cancelledIds.length
      ) {
        logger.info('check.queued', {
          check: check.name,
          path: event.document,
          eventId: event.id,
          pushes: run.pushIds.length,
          notifications: run.notificationIds.length,
          created: run.created,
          dueNow: run.dueNow.pushIds.length + run.dueNow.notificationIds.length,
          cancelled: run.cancelledIds.length,
          skipped: run.skipped,
        });
      }
      await deliverImmediately(deps, run.dueNow, settings, event.id);
      await Promise.all(deps.pendingStats);
    },
  );
}
